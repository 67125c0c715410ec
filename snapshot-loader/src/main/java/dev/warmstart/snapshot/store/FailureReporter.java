package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.SnapshotException;

/**
 * Reports what a manager could not do — to the log, the listener and {@link ManagerMetrics#failedSwitches()} —
 * once per distinct failure: the watcher retries every poll, and a broken revision must not flood the log.
 */
final class FailureReporter {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final ManagerMetrics metrics;
    private final SnapshotEventListener listener;
    private String lastReported;

    FailureReporter(ManagerMetrics metrics, SnapshotEventListener listener) {
        this.metrics = metrics;
        this.listener = listener;
    }

    /** Reports {@code error}, unless it is the same failure as the last one reported. */
    void report(String what, Throwable error) {
        String message = what + ": " + describe(error);
        synchronized (this) {
            if (message.equals(lastReported)) {
                return;
            }
            lastReported = message;
        }
        metrics.switchFailed();
        if (error instanceof SnapshotException) {
            LOG.log(System.Logger.Level.ERROR, message); // the message says it all: file, check, what to do
        } else {
            LOG.log(System.Logger.Level.ERROR, message, error);
        }
        try {
            listener.failed(what, error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the snapshot event listener failed on a failure report", e);
        }
    }

    /**
     * Reports a snapshot refused before any switch needed it (a background verification): to the log and the
     * listener, once per distinct failure, but not as a failed switch — nothing was switched.
     */
    void refused(String what, Throwable error) {
        String message = what + ": " + describe(error);
        synchronized (this) {
            if (message.equals(lastReported)) {
                return;
            }
            lastReported = message;
        }
        LOG.log(System.Logger.Level.ERROR, message);
        try {
            listener.failed(what, error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the snapshot event listener failed on a failure report", e);
        }
    }

    /** Something succeeded: the next failure is news again, even if it repeats an earlier one. */
    synchronized void clear() {
        lastReported = null;
    }

    /**
     * @return the message of a snapshot or store failure, which names the file and what to do; the class and the
     *     message of anything else (an {@code IOException}, an {@code InternalError} from a fault while mapped)
     */
    static String describe(Throwable error) {
        return error instanceof SnapshotException ? String.valueOf(error.getMessage()) : error.toString();
    }
}
