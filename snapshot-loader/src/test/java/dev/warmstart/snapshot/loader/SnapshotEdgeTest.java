package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ConfigTableLayout;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hostile values that pass the index checksum, files that are not files, and files changed under the mapping. */
class SnapshotEdgeTest {
    @TempDir
    Path dir;

    @Test
    void anOffsetNearLongMaxValueIsCorruptNamingTheFile() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("huge-offset.tar"));
        int entry;
        try (Snapshot snapshot = Snapshot.open(file)) {
            entry = snapshot.entryNames().indexOf("a.txt");
        }
        CorruptionInjector.writeBytes(
                file, CorruptionInjector.recordField(file, entry, 8), longBytes(Long.MAX_VALUE - 2));
        CorruptionInjector.resealIndex(file);
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThatThrownBy(() -> snapshot.entry("a.txt"))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("huge-offset.tar")
                    .hasMessageContaining(String.valueOf(Long.MAX_VALUE - 2));
            assertThatThrownBy(snapshot::verify).isInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void aCreationTimeThatInstantHoldsButNoIdCanNameIsCorrupt() throws IOException {
        // Found by fuzzing (SnapshotFuzzTest#openVerifyAndLookUp): Instant.MAX passed the old range check, then
        // id() threw DateTimeException formatting a year past 999,999,999.
        Path file = SnapshotTestFiles.small(dir.resolve("instant-max.tar"));
        CorruptionInjector.writeBytes(file, SnapshotFormat.BLOCK + 32, longBytes(Instant.MAX.getEpochSecond()));
        CorruptionInjector.resealIndex(file);
        assertThatThrownBy(() -> Snapshot.open(file).close())
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("instant-max.tar")
                .hasMessageContaining("creation time");
    }

    @Test
    void aCreationTimeOutsideAnyDateIsCorruptNamingTheFile() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("far-future.tar"));
        CorruptionInjector.writeBytes(file, SnapshotFormat.BLOCK + 32, longBytes(Long.MAX_VALUE));
        CorruptionInjector.resealIndex(file);
        assertThatThrownBy(() -> {
                    try (Snapshot snapshot = Snapshot.open(file)) {
                        snapshot.verify();
                    }
                })
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("far-future.tar")
                .hasMessageContaining("creation time");
    }

    @Test
    void aFileTruncatedWhileMappedIsCorruptSayingNotToTruncateInPlace() throws IOException {
        Path file = withConfigBehindABigEntry(dir.resolve("served.tar"));
        try (Snapshot snapshot = Snapshot.open(file)) {
            truncate(file, 4096);
            assertThatThrownBy(snapshot::verify)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("served.tar")
                    .hasMessageContaining("changed size while mapped")
                    .hasMessageContaining("never truncate");
            assertThatThrownBy(snapshot::config)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("changed size while mapped");
            assertThatThrownBy(snapshot::metadata)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("changed size while mapped");
        }
    }

    @Test
    void aFileTruncatedWhileMappedIsCorruptAtFirstAccessToo() throws IOException {
        Path file = withConfigBehindABigEntry(dir.resolve("served.tar"));
        try (Snapshot snapshot = Snapshot.open(file, SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            truncate(file, 4096);
            assertThatThrownBy(() -> snapshot.entry("a/big.bin"))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("changed size while mapped");
        }
    }

    @Test
    void aDirectoryIsRefusedNamingItAsADirectory() {
        assertThatThrownBy(() -> Snapshot.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("is a directory");
    }

    @Test
    void aSnapshotsConfigResolvesPlaceholdersFromTheProcessSystemProperties() throws IOException {
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", Map.of("model", Map.of("name", "${sys:warmstart.edge.model:-fallback}")));
        Path file = SnapshotTestFiles.write(
                dir.resolve("placeholders.tar"), Map.of(SnapshotFormat.CONFIG_TABLE_ENTRY, table.toTableBytes()));
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThat(snapshot.config().getString("model.name")).isEqualTo("fallback");
            System.setProperty("warmstart.edge.model", "gpt-4o");
            try {
                assertThat(snapshot.config().getString("model.name")).isEqualTo("gpt-4o");
                assertThat(snapshot.config().subtree("model").getString("name")).isEqualTo("gpt-4o");
            } finally {
                System.clearProperty("warmstart.edge.model");
            }
        }
    }

    @Test
    void aMissingFileIsANoSuchFileExceptionNamingIt() {
        Path missing = dir.resolve("missing.tar");
        assertThatThrownBy(() -> Snapshot.open(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing.tar");
    }

    @Test
    // Not a speed check: without the fix the open blocks forever, and this bounds how long the test hangs.
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoIsRefusedAtOnceInsteadOfBlocking() throws Exception {
        Path fifo = dir.resolve("pipe.tar");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        assertThatThrownBy(() -> Snapshot.open(fifo))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("pipe.tar")
                .hasMessageContaining("special file");
    }

    @Test
    void aSnapshotWithoutConfigHasTheTableTheWriterWritesForNoKeys() throws IOException {
        assertThat(ConfigTableLayout.emptyTable()).isEqualTo(new ConfigTableWriter().toTableBytes());
        try (Snapshot snapshot = Snapshot.open(SnapshotTestFiles.small(dir.resolve("s.tar")))) {
            assertThat(snapshot.config().size()).isZero();
            assertThat(snapshot.config().keys()).isEmpty();
        }
    }

    @Test
    void corruptionMessagesGiveTheComputedAndTheStoredValue() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        SnapshotEntry entry;
        String sha;
        try (Snapshot snapshot = Snapshot.open(file)) {
            entry = snapshot.entries().stream()
                    .filter(e -> e.name().equals("a.txt"))
                    .findFirst()
                    .orElseThrow();
            sha = entry.sha256();
        }
        Path damagedData = CorruptionInjector.copy(file, dir.resolve("data.tar"));
        CorruptionInjector.flipByte(damagedData, entry.offset());
        try (Snapshot snapshot = Snapshot.open(damagedData)) {
            assertThatThrownBy(snapshot::verify)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("index says " + sha)
                    .hasMessageMatching("(?s).*SHA-256 [0-9a-f]{64}, index says.*");
        }
        Path damagedIndex = CorruptionInjector.copy(file, dir.resolve("index.tar"));
        CorruptionInjector.flipByte(damagedIndex, SnapshotFormat.BLOCK + 64);
        assertThatThrownBy(() -> Snapshot.open(damagedIndex))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageMatching("(?s).*CRC-32 [0-9a-f]{8}, stored [0-9a-f]{8}.*");
    }

    /** A snapshot whose config table lies past the first 4 KiB, behind 256 KiB of data. */
    private static Path withConfigBehindABigEntry(Path file) throws IOException {
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", Map.of("model", Map.of("name", "gpt-4o")));
        byte[] big = new byte[256 * 1024];
        new Random(7).nextBytes(big);
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("a/big.bin", big);
        entries.put(SnapshotFormat.CONFIG_TABLE_ENTRY, table.toTableBytes());
        SnapshotTestFiles.write(file, entries);
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThat(snapshot.entryNames())
                    .containsSubsequence(List.of("a/big.bin", SnapshotFormat.CONFIG_TABLE_ENTRY));
        }
        return file;
    }

    /** Truncates the file from outside the snapshot, as another process would. */
    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
        assertThat(Files.size(file)).isEqualTo(length);
    }

    private static byte[] longBytes(long value) {
        return java.nio.ByteBuffer.allocate(8).putLong(value).array();
    }
}
