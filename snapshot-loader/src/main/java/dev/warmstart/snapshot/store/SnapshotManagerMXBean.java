package dev.warmstart.snapshot.store;

/** What a {@link SnapshotManager} exposes over JMX, under {@code dev.warmstart.snapshot:type=SnapshotManager}. */
public interface SnapshotManagerMXBean {
    /** @return the registry revision being served */
    long getRegistryRevision();

    /** @return the stable snapshot's id, or empty */
    String getStableSnapshotId();

    /** @return the canaries as {@code name=snapshotId@percent%} */
    String[] getCanaries();

    /** @return requests routed so far */
    long getSelections();

    /** @return routing states applied */
    long getSwitches();

    /** @return registry changes that could not be applied (the old state kept serving) */
    long getFailedSwitches();

    /** @return automatic rollbacks */
    long getRollbacks();

    /** @return successes recorded */
    long getSuccesses();

    /** @return failures recorded */
    long getFailures();

    /** @return duration of the last switch, in milliseconds */
    double getLastSwitchMillis();

    /** @return the longest switch, in milliseconds */
    double getMaxSwitchMillis();
}
