package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;

/**
 * The snapshot one request uses, from {@link SnapshotManager#select}. The snapshot stays open and unchanged
 * until the lease is closed, whatever switches happen meanwhile. Report the request's outcome with
 * {@link #recordSuccess()} or {@link #recordFailure()}, then close the lease.
 */
public final class SnapshotLease implements AutoCloseable {
    private final SnapshotManager manager;
    private final ServedSnapshot served;
    private final String channel;
    private boolean closed;

    SnapshotLease(SnapshotManager manager, ServedSnapshot served, String channel) {
        this.manager = manager;
        this.served = served;
        this.channel = channel;
    }

    /** @return the snapshot this request must see */
    public Snapshot snapshot() {
        return served.snapshot;
    }

    /** @return its id */
    public String snapshotId() {
        return served.id;
    }

    /** @return how it was chosen: {@code stable}, a canary's name, or {@code pinned} */
    public String channel() {
        return channel;
    }

    /** Counts this request as a success of its snapshot. */
    public void recordSuccess() {
        manager.recordSuccess(served.id);
    }

    /** Counts this request as a failure of its snapshot; may trip the snapshot's guard. */
    public void recordFailure() {
        manager.recordFailure(served.id);
    }

    /** Releases the snapshot; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            served.release();
        }
    }
}
