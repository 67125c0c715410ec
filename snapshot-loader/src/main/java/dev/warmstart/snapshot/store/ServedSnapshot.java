package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A snapshot the manager has open, with the count of leases using it. Closed once it is retired and its last
 * lease is released; a count of -1 means closed, so no lease can be taken after that.
 *
 * <p>The close itself runs on {@link #CLOSE_IN_BACKGROUND}, not on the thread that retired the snapshot or released
 * its last lease: on Java 22+ it unmaps the file at once (a handshake with every thread, then {@code munmap} of up to
 * the whole file, tens of milliseconds for a gigabyte), and that thread is a request's (the one that tripped a guard,
 * or the last one to finish on the old snapshot) or the switch's.
 */
final class ServedSnapshot {
    /**
     * One daemon thread for the JVM, started on the first close and ended after ten idle seconds: closes cost nothing
     * on the thread that asks for them beyond a queue insertion. A JVM that exits with a close still queued loses
     * nothing: its mappings go with the process.
     */
    static final Executor CLOSE_IN_BACKGROUND = backgroundCloser();

    final String id;
    final Snapshot snapshot;
    private final Executor closer;
    private final Clock clock;
    private volatile Duration window;
    private volatile OutcomeWindow outcomes;
    private final AtomicInteger leases = new AtomicInteger();
    private volatile boolean retired;

    ServedSnapshot(String id, Snapshot snapshot, Duration window, Clock clock, Executor closer) {
        this.id = id;
        this.snapshot = snapshot;
        this.closer = closer;
        this.clock = clock;
        this.window = window;
        this.outcomes = new OutcomeWindow(window, clock);
    }

    /** @return the outcomes counted for this snapshot's guard */
    OutcomeWindow outcomes() {
        return outcomes;
    }

    /**
     * Counts outcomes over {@code w} from now on. A snapshot verified ahead of its promotion learns its guard's
     * window only when a registry puts it in service; a changed window starts counting afresh (a new guard).
     */
    void useWindow(Duration w) {
        if (!w.equals(window)) {
            window = w;
            outcomes = new OutcomeWindow(w, clock);
        }
    }

    boolean tryAcquire() {
        while (true) {
            int c = leases.get();
            if (c < 0) {
                return false;
            }
            if (leases.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (leases.decrementAndGet() == 0 && retired) {
            tryClose();
        }
    }

    /**
     * Takes it out of every future state, without closing it yet: called under the serving lock with the state that
     * drops it, so that closing (an unmapping, on Java 22+) can wait until that state serves and the lock is free.
     * A lease released meanwhile closes it as usual.
     */
    void markRetired() {
        retired = true;
    }

    /** Retires it and closes it: now when no lease holds it, otherwise at the last lease's release. */
    void retire() {
        retired = true;
        tryClose();
    }

    /** @return whether it was released: it is never put in a new state again */
    boolean isRetired() {
        return retired;
    }

    boolean isClosed() {
        return leases.get() < 0;
    }

    private void tryClose() {
        if (leases.compareAndSet(0, -1)) {
            closer.execute(this::closeSnapshot);
        }
    }

    private void closeSnapshot() {
        try {
            snapshot.close();
        } catch (IOException | RuntimeException e) {
            // The mapping is released by the GC anyway; nothing a caller could do.
        }
    }

    private static Executor backgroundCloser() {
        ThreadPoolExecutor closer =
                new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "warmstart-snapshot-closer");
                    t.setDaemon(true);
                    return t;
                });
        closer.allowCoreThreadTimeOut(true);
        return closer;
    }
}
