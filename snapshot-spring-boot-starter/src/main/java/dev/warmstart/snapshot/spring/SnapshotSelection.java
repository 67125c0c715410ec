package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.loader.Snapshot;

/**
 * The snapshot one request (or unit of work) sees, held open until {@link #close()}. Obtained from {@link
 * ServingSnapshots#select}; the web filters bind one to each request, where {@link Prompts} finds it.
 */
public interface SnapshotSelection extends AutoCloseable {
    /** @return the snapshot; valid until {@link #close()} */
    Snapshot snapshot();

    /** @return the id of the snapshot */
    String snapshotId();

    /** @return the channel it was chosen from: {@code stable}, a canary's name, or {@code file} */
    String channel();

    /** Counts a success of this snapshot (feeds the canary guards). */
    void recordSuccess();

    /** Counts a failure of this snapshot (feeds the canary guards and automatic rollback). */
    void recordFailure();

    /** Releases the snapshot. Idempotent. */
    @Override
    void close();
}
