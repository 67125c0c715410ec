package dev.warmstart.snapshot.store;

import java.time.Duration;

/**
 * The thread that keeps a manager current: waits for its {@link RevisionSource} to signal a change (or for the
 * poll interval), then refreshes. Nothing a refresh throws ends it — a fault in one snapshot must not stop every
 * later revision from being applied; only {@link #stop()} does.
 */
final class RevisionWatcher {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final RevisionSource source;
    private final Duration pollInterval;
    private final Runnable refresh;
    private final Thread thread;
    private volatile boolean stopped;

    RevisionWatcher(RevisionSource source, Duration pollInterval, Runnable refresh) {
        this.source = source;
        this.pollInterval = pollInterval;
        this.refresh = refresh;
        this.thread = new Thread(this::run, "warmstart-store-watcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops the thread and waits (briefly) for it to end. */
    void stop() {
        stopped = true;
        source.close();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!stopped) {
            try {
                source.awaitChange(pollInterval);
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
                continue; // not ours to end on: only stop() ends the watcher
            }
            if (stopped) {
                return;
            }
            try {
                refresh.run();
            } catch (RuntimeException | Error e) {
                // refresh() reports its own failures; this is a failure in the reporting (a listener, say)
                LOG.log(System.Logger.Level.ERROR, "refreshing " + source.location() + " failed; retrying", e);
            }
        }
    }
}
