package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots up to {@link Snapshot#READ_LIMIT} are read into one direct buffer instead of mapped (the first mapping
 * of a JVM costs a method-handle bootstrap its start-up would otherwise pay); larger ones are mapped. Both serve
 * the same bytes.
 */
class SnapshotReadPathTest {
    private static final Path MAPS = Path.of("/proc/self/maps");

    @TempDir
    Path dir;

    @Test
    void aSnapshotUpToTheReadLimitIsReadNotMapped() throws IOException {
        assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps (Linux) to see the process's mappings");
        Path file = SnapshotTestFiles.small(dir.resolve("small-read.tar"));
        assertThat(Files.size(file)).isLessThanOrEqualTo(Snapshot.READ_LIMIT);
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThat(text(snapshot.entry("a.txt"))).isEqualTo("alpha");
            assertThat(Files.readString(MAPS)).doesNotContain(file.toString());
        }
    }

    @Test
    void aSnapshotAboveTheReadLimitIsMapped() throws IOException {
        assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps (Linux) to see the process's mappings");
        Path file = SnapshotTestFiles.small(dir.resolve("small-mapped.tar"));
        try (Snapshot snapshot = Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, Files.size(file) - 1)) {
            assertThat(text(snapshot.entry("a.txt"))).isEqualTo("alpha");
            assertThat(Files.readString(MAPS)).contains(file.toString());
        }
    }

    @Test
    void readAndMappedSnapshotsServeTheSameBytesAndBothVerify() throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        for (int i = 0; i < 50; i++) {
            entries.put("e/" + i, ("entry " + i + " ").repeat(i * 7 + 1).getBytes());
        }
        Path file = SnapshotTestFiles.write(dir.resolve("both.tar"), entries);
        try (Snapshot read = Snapshot.open(file);
                Snapshot mapped = Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, 0)) {
            read.verify();
            mapped.verify();
            for (String name : entries.keySet()) {
                assertThat(read.entry(name)).as(name).isEqualTo(mapped.entry(name));
                assertThat(read.entry(name).isReadOnly()).as(name).isTrue();
            }
        }
    }

    private static String text(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
