package dev.warmstart.snapshot.store;

import java.time.Duration;

/**
 * Receives what a {@link SnapshotManager} does, to bridge it to a service's own logging or metrics. Called on the
 * manager's threads (or the request thread that tripped a rollback); keep implementations quick.
 */
public interface SnapshotEventListener {
    /** A snapshot file was mapped. */
    default void opened(String snapshotId) {}

    /** A snapshot passed full verification, taking {@code took}. */
    default void verified(String snapshotId, Duration took) {}

    /** A new routing state is serving: registry revision {@code fromRevision} → {@code toRevision}. */
    default void switched(long fromRevision, long toRevision, String stableId, Duration took) {}

    /** A snapshot was taken out of service by its guard. */
    default void rolledBack(String snapshotId, String reason) {}

    /**
     * A remote store cannot be reached (or refuses the replica's requests): what the cache holds keeps serving until
     * it answers. Called once per outage.
     */
    default void storeUnreachable(String location, Throwable error) {}

    /** A remote store answers again after {@link #storeUnreachable}. */
    default void storeReachable(String location) {}

    /** Something failed; what was serving keeps serving. */
    default void failed(String what, Throwable error) {}
}
