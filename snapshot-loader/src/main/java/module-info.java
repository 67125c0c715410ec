/**
 * Warmstart's snapshot loader: opens memory-mapped snapshots and serves config values and prompt templates
 * from them. No dependency beyond the JDK.
 */
module dev.warmstart.snapshot.loader {
    exports dev.warmstart.snapshot.loader;
    exports dev.warmstart.snapshot.format;
    exports dev.warmstart.snapshot.writer;
    exports dev.warmstart.snapshot.store;

    requires java.management;
    requires java.net.http;
}
