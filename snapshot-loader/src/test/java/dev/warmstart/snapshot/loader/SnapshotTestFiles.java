package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Writes snapshots of known content for tests. */
final class SnapshotTestFiles {
    static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");

    private SnapshotTestFiles() {}

    /** Writes {@code entries} (name → bytes) as plain file entries. */
    static Path write(Path file, Map<String, byte[]> entries) throws IOException {
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                writer.addEntry(e.getKey(), SnapshotFormat.KIND_FILE, e.getValue());
            }
            writer.finish(CREATED, "test", "0", Map.of("project", "dev.warmstart:test:1"));
        }
        return file;
    }

    /**
     * A snapshot of {@code count} small entries {@code e/00000.txt ...} whose content names the entry: enough
     * entries for an index of several blocks ({@code IndexBlocks.RECORDS_PER_BLOCK} records each).
     */
    static Path many(Path file, int count) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String name = String.format("e/%05d.txt", i);
            entries.put(name, ("content of " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return write(file, entries);
    }

    /** A small snapshot with a few ordinary entries. */
    static Path small(Path file) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("a.txt", "alpha".getBytes());
        entries.put("dir/b.bin", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        entries.put("dir/c.txt", "gamma gamma gamma".repeat(40).getBytes());
        return write(file, entries);
    }
}
