/**
 * Warmstart's snapshot loader: opens memory-mapped snapshots and serves config values and prompt templates
 * from them. No dependency beyond the JDK.
 *
 * <p>Start with {@link dev.warmstart.snapshot.loader.Snapshot#open(java.nio.file.Path,
 * dev.warmstart.snapshot.loader.SnapshotOption...) Snapshot.open} for one snapshot file (package
 * {@code dev.warmstart.snapshot.loader}), or with {@link dev.warmstart.snapshot.store.SnapshotManager#open(
 * java.nio.file.Path) SnapshotManager.open} to serve a store of versions with canaries and automatic rollback
 * (package {@code dev.warmstart.snapshot.store}). The {@code format} and {@code writer} packages are exported
 * for the Maven plugin that builds snapshots; services do not need them.
 */
module dev.warmstart.snapshot.loader {
    exports dev.warmstart.snapshot.loader;
    exports dev.warmstart.snapshot.format;
    exports dev.warmstart.snapshot.writer;
    exports dev.warmstart.snapshot.store;

    requires java.management;
}
