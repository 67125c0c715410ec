package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** Reads a compiled prompt back as the loader would serve it: written into a snapshot of its own and opened. */
public final class ReadBack {
    private ReadBack() {}

    /** @return the template the loader reads from the prompt's compiled entry */
    public static PromptTemplate template(SnapshotInputs inputs, SnapshotInputs.PromptInput prompt) {
        try {
            Path dir = Files.createTempDirectory("readback");
            Path file = dir.resolve("one.tar");
            try (SnapshotWriter writer = SnapshotWriter.create(file)) {
                writer.addEntry(
                        SnapshotFormat.promptEntryName(prompt.name()),
                        SnapshotFormat.KIND_PROMPT,
                        inputs.bytes(prompt));
                writer.finish(Instant.parse("2026-01-01T00:00:00Z"), "test", "0", Map.of());
            }
            try (Snapshot snapshot = Snapshot.open(file)) {
                PromptTemplate template = snapshot.prompt(prompt.name());
                template.text(); // decoded while the snapshot is open
                return template;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
