package dev.warmstart.snapshot.loader;

/** Options for {@link Snapshot#open(java.nio.file.Path, SnapshotOption...)}. */
public enum SnapshotOption {
    /**
     * Check each entry's SHA-256 the first time it is read (later reads are free). Costs one hash of an
     * entry's bytes on its first use; opening stays as cheap as without it.
     */
    VERIFY_ON_FIRST_ACCESS
}
