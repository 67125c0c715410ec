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
 *
 * <p>What a service sees: {@code loader} (the reader API: {@code Snapshot}, {@code Config},
 * {@code PromptTemplate} and the {@code SnapshotException} family) and {@code store} (serving a directory of
 * snapshots with canaries and rollback). {@code format} is exported because its definitions (key paths, the
 * content hash, the constants of {@code docs/format.md}) are what tools and the plugin share with the reader, so
 * they exist once. {@code cli} is not exported: it is the jar's main class, not an API.
 *
 * <p>{@code writer} stays exported, on purpose: the Maven plugin and build tools write snapshots with it, and the
 * writer lives beside the reader so the two cannot drift apart (the plugin's tests check that it uses nothing
 * else of this module). A service never needs it: the reader does not depend on the writer (checked by
 * {@code LayeringTest}), so reading never loads a writer class. Qualified exports ({@code exports ... to}) would
 * not narrow this: the plugin runs on Maven's class path, where module exports are not enforced.
 */
module dev.warmstart.snapshot.loader {
    exports dev.warmstart.snapshot.loader;
    exports dev.warmstart.snapshot.format;
    exports dev.warmstart.snapshot.writer;
    exports dev.warmstart.snapshot.store;

    requires java.management;
    requires java.net.http;
}
