package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A snapshot the manager has open, with the count of leases using it. Closed once it is retired and its last
 * lease is released; a count of -1 means closed, so no lease can be taken after that.
 */
final class ServedSnapshot {
    final String id;
    final Snapshot snapshot;
    final OutcomeWindow outcomes;
    private final AtomicInteger leases = new AtomicInteger();
    private volatile boolean retired;

    ServedSnapshot(String id, Snapshot snapshot, Duration window, Clock clock) {
        this.id = id;
        this.snapshot = snapshot;
        this.outcomes = new OutcomeWindow(window, clock);
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

    void retire() {
        retired = true;
        tryClose();
    }

    boolean isClosed() {
        return leases.get() < 0;
    }

    private void tryClose() {
        if (leases.compareAndSet(0, -1)) {
            try {
                snapshot.close();
            } catch (IOException e) {
                // The mapping is released by the GC anyway; nothing a caller could do.
            }
        }
    }
}
