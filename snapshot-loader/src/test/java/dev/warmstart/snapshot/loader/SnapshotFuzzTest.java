package dev.warmstart.snapshot.loader;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Fuzz targets for everything the loader reads from a snapshot file. {@code mvn verify} replays the committed
 * inputs under {@code src/test/resources/dev/warmstart/snapshot/loader/SnapshotFuzzTestInputs/<method>/};
 * {@code bench/fuzz.sh} (JAZZER_FUZZ=1) fuzzes each for a time budget. The only acceptable outcomes are a
 * result, a {@link SnapshotException} or an {@link IOException}: anything else escapes and is a finding.
 */
class SnapshotFuzzTest {
    private static final Map<String, String> ENV = Map.of("HOME", "/home/fuzz", "PORT", "8080");
    private static final TrustPolicy TRUST = TestKeys.trusting("ed25519-a");

    /**
     * Arbitrary file bytes, with the open-time checksums recomputed so the fuzzer gets past them: open, the
     * signature check of a trust policy, every lookup, and full verification.
     */
    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void openVerifyAndLookUp(byte[] bytes) throws IOException {
        if (bytes == null) {
            return;
        }
        Path file = Files.createTempFile("fuzz-", ".tar");
        try {
            Files.write(file, SnapshotChecksums.fix(bytes));
            readEverything(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The compiled config table on its own: every key, every typed getter. */
    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void configTable(byte[] bytes) {
        if (bytes == null) {
            return;
        }
        Config config;
        try {
            config = new Config(ByteBuffer.wrap(bytes).asReadOnlyBuffer(), "fuzz.tar", ENV::get, ENV::get);
        } catch (SnapshotException expected) {
            return;
        }
        lookUpAll(config);
    }

    /** A compiled prompt entry on its own: decode, then every accessor and a render with every variable. */
    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void promptTemplate(byte[] bytes) {
        if (bytes == null) {
            return;
        }
        PromptTemplate template;
        try {
            template = PromptTemplate.decode("fuzz", ByteBuffer.wrap(bytes).asReadOnlyBuffer(), "fuzz.tar");
        } catch (SnapshotException expected) {
            return;
        }
        render(template);
    }

    /**
     * The build-time template tokenizer and the run-time renderer together: any text either fails with a
     * {@code PromptSyntaxException} or compiles, decodes and renders; a Dify prompt rendered with every variable
     * mapped to its own spelling gives back its text (docs/format.md, section 7.1).
     */
    @FuzzTest(maxDuration = FuzzBudget.PER_TARGET)
    void tokenizeAndRender(String text) {
        if (text == null) {
            return;
        }
        for (PromptSyntax syntax : PromptSyntax.values()) {
            dev.warmstart.snapshot.writer.CompiledPrompt compiled;
            try {
                compiled = dev.warmstart.snapshot.writer.PromptCompiler.compile(
                        new dev.warmstart.snapshot.writer.PromptSource("fuzz", text, syntax, null, Map.of()));
            } catch (dev.warmstart.snapshot.writer.PromptSyntaxException reported) {
                continue;
            }
            PromptTemplate template = PromptTemplate.decode(
                    "fuzz", ByteBuffer.wrap(compiled.toBytes()).asReadOnlyBuffer(), "fuzz");
            if (!template.text().equals(text)) {
                throw new AssertionError("text() differs from the source for " + syntax);
            }
            if (syntax == PromptSyntax.DIFY) {
                Map<String, Object> own = new HashMap<>();
                for (String v : template.variables()) {
                    own.put(v, "{{" + v + "}}");
                }
                if (!template.render(own).equals(text)) {
                    throw new AssertionError("a Dify prompt does not render back to its text");
                }
            } else if (syntax == PromptSyntax.PLAIN) {
                Map<String, Object> values = new HashMap<>();
                for (String v : template.variables()) {
                    values.put(v, "x");
                }
                template.render(values);
            }
        }
    }

    static void readEverything(Path file) throws IOException {
        Snapshot snapshot;
        try {
            snapshot = Snapshot.open(file, SnapshotOption.VERIFY_ON_FIRST_ACCESS);
        } catch (SnapshotException | IOException expected) {
            return;
        }
        try (snapshot) {
            attempt(snapshot::id);
            attempt(() -> SnapshotSignature.of(snapshot));
            attempt(() -> TRUST.check(snapshot));
            attempt(snapshot::entries);
            attempt(snapshot::metadata);
            attempt(() -> lookUpAll(snapshot.config()));
            attempt(() -> {
                for (String name : snapshot.promptNames()) {
                    attempt(() -> render(snapshot.prompt(name)));
                }
            });
            attempt(snapshot::verify);
        }
    }

    static void lookUpAll(Config config) {
        java.util.List<String> keys;
        try {
            keys = config.keys();
        } catch (SnapshotException expected) {
            keys = java.util.List.of("model.name", "model.temperature", "port");
        }
        for (String key : keys) {
            attempt(() -> config.value(key));
            attempt(() -> config.describe(key));
            attempt(() -> config.findString(key));
            attempt(() -> config.findLong(key));
            attempt(() -> config.findDouble(key));
            attempt(() -> config.findBoolean(key));
            attempt(() -> config.findStringList(key));
            attempt(() -> config.subtree(key).size());
        }
        attempt(() -> config.findString("model.name"));
        attempt(config::toString);
    }

    static void render(PromptTemplate template) {
        template.text();
        template.metadata();
        Map<String, Object> values = new HashMap<>();
        for (String v : template.variables()) {
            values.put(v, "<" + v + ">");
        }
        attempt(() -> template.render(values));
        attempt(() -> template.render(Map.of()));
    }

    /** Runs one lookup; the project's own exceptions are an acceptable answer to damaged bytes. */
    static void attempt(Runnable lookup) {
        try {
            lookup.run();
        } catch (SnapshotException expected) {
            // a clear refusal is the right outcome
        }
    }

    static void attempt(java.util.function.Supplier<?> lookup) {
        attempt((Runnable) lookup::get);
    }
}
