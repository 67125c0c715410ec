package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.store.CanaryRule;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** Snapshots and stores of known content, written with the loader's writer as the plugin does. */
final class TestSnapshots {
    private TestSnapshots() {}

    /**
     * A snapshot with {@code model.name = <label>}, {@code model.temperature = 0.2}, a placeholder key and the
     * prompt {@code support/answer} = "[label] Answer {{question}}".
     */
    static Path write(Path dir, String label) throws Exception {
        Path file = dir.resolve(label + ".tar");
        ConfigTableWriter config = new ConfigTableWriter();
        config.put(
                "model",
                Map.of(
                        "name",
                        label,
                        "temperature",
                        0.2d,
                        "endpoint",
                        "${env:WARMSTART_TEST_SURELY_UNSET:-http://localhost/v1}"));
        CompiledPrompt prompt = PromptCompiler.compile(new PromptSource(
                "support/answer", "[" + label + "] Answer {{question}}", PromptSyntax.PLAIN, null, Map.of()));
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, config.toTableBytes());
            writer.addEntry(
                    SnapshotFormat.CONFIG_JSON_ENTRY, SnapshotFormat.KIND_CONFIG_JSON, config.toCanonicalJson());
            writer.addEntry(
                    SnapshotFormat.PROMPT_PREFIX + "support/answer" + SnapshotFormat.PROMPT_SUFFIX,
                    SnapshotFormat.KIND_PROMPT,
                    prompt.toBytes());
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of("label", label));
        }
        return file;
    }

    static String idOf(Path file) throws Exception {
        try (Snapshot s = Snapshot.open(file)) {
            return s.id();
        }
    }

    /** A store with {@code v1} stable; returns its directory. */
    static Path store(Path dir) throws Exception {
        Path storeDir = dir.resolve("store");
        SnapshotStore store = SnapshotStore.open(storeDir);
        String v1 = store.publish(write(dir, "v1")).id();
        store.promoteStable(v1, null);
        return storeDir;
    }

    /** Publishes {@code v2} into the store as the canary {@code canary} at {@code percent}; returns its id. */
    static String canary(Path dir, Path storeDir, double percent) throws Exception {
        SnapshotStore store = SnapshotStore.open(storeDir);
        String v2 = store.publish(write(dir, "v2")).id();
        store.promoteCanary("canary", v2, new CanaryRule(percent, java.util.Set.of(), true), null);
        return v2;
    }

    /** Publishes {@code v2} and makes it stable; returns its id. */
    static String promote(Path dir, Path storeDir) throws Exception {
        SnapshotStore store = SnapshotStore.open(storeDir);
        String v2 = store.publish(write(dir, "v2")).id();
        store.promoteStable(v2, null);
        return v2;
    }
}
