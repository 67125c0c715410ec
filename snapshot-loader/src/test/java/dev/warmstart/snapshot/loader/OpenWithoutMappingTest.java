package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.IndexBlocks;
import dev.warmstart.snapshot.format.SnapshotFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening checks the structure from the file's first bytes, read with a positional read, and maps the file only
 * when a lookup first needs it (issue 13, target 1: a mapping's cost grows with the file's size, so mapping at
 * open made opening a 1 GiB snapshot slower than a small one). A header or block table longer than that first
 * read is checked all the same.
 */
class OpenWithoutMappingTest {
    private static final Path MAPS = Path.of("/proc/self/maps");
    /** The fewest bytes open can read first: the tar header and the index header up to its block table. */
    private static final int SHORTEST_HEAD = SnapshotFormat.BLOCK + SnapshotFormat.INDEX_HEADER_LENGTH;

    @TempDir
    Path dir;

    @Test
    void openingReadsTheHeaderAndMapsTheFileOnlyAtTheFirstLookup() throws IOException {
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path file = SnapshotTestFiles.many(dir.resolve("lazy.tar"), 150);
        try (Snapshot snapshot = Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, 0)) {
            String id = snapshot.id();
            assertThat(snapshot.entryCount()).isEqualTo(151); // and the metadata entry
            assertThat(snapshot.formatVersion()).isEqualTo("1.1");
            assertThat(id).startsWith("20260304T050607Z-");
            assertThat(snapshot.contentHash()).hasSize(64);
            assertThat(MappingReleaseTest.mappingsOf(file))
                    .as("mappings of a snapshot opened and never looked up")
                    .isZero();

            assertThat(text(snapshot.entry("e/00100.txt"))).isEqualTo("content of e/00100.txt");
            assertThat(MappingReleaseTest.mappingsOf(file))
                    .as("mappings once looked up")
                    .isPositive();
            assertThat(snapshot.id()).isEqualTo(id);
        }
    }

    @Test
    void aSnapshotClosedBeforeItsFirstLookupIsNeverMapped() throws IOException {
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path file = SnapshotTestFiles.many(dir.resolve("never.tar"), 10);
        Snapshot snapshot = Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, 0);
        snapshot.close();
        assertThatThrownBy(() -> snapshot.entry("e/00001.txt"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never.tar is closed");
        assertThat(MappingReleaseTest.mappingsOf(file)).isZero();
    }

    @Test
    void aBlockTableLongerThanTheFirstReadIsReadOnAndChecked() throws IOException {
        // 150 entries: three blocks, a 124-byte header whose block table and CRC lie past a 608-byte first read.
        Path file = SnapshotTestFiles.many(dir.resolve("table.tar"), 150);
        for (long readLimit : new long[] {0, Long.MAX_VALUE}) {
            assertThat(lastEntryNames(file, readLimit, 2)).containsExactly("e/00148.txt", "e/00149.txt");
        }
        long secondBlockCrc = SnapshotFormat.BLOCK + IndexBlocks.TABLE_OFFSET + IndexBlocks.TABLE_ENTRY_LENGTH + 4;
        CorruptionInjector.flipByte(file, secondBlockCrc);
        for (long readLimit : new long[] {0, Long.MAX_VALUE}) {
            assertThatThrownBy(() -> lastEntryNames(file, readLimit, 1))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageStartingWith(file.toString())
                    .hasMessageContaining("has a damaged index header");
        }
    }

    @Test
    void aFormat10IndexLongerThanTheFirstReadIsReadOnAndChecked() throws IOException {
        Path file = FormatVersionTest.format10Fixture(dir.resolve("old.tar"));
        for (long readLimit : new long[] {0, Long.MAX_VALUE}) {
            assertThat(lastEntryNames(file, readLimit, 1)).hasSize(1);
        }
        CorruptionInjector.flipByte(file, CorruptionInjector.recordField(file, 2, 40));
        for (long readLimit : new long[] {0, Long.MAX_VALUE}) {
            assertThatThrownBy(() -> lastEntryNames(file, readLimit, 1))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageStartingWith(file.toString())
                    .hasMessageContaining("has a damaged index (CRC32C");
        }
    }

    /**
     * Opens the index of {@code file} as open checks it, reading only {@link #SHORTEST_HEAD} bytes first, and
     * returns the names of its last {@code count} entries (read while the file is open).
     */
    private static List<String> lastEntryNames(Path file, long readLimit, int count) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        MappedFile mapped = new MappedFile(file, channel, channel.size(), Snapshot.DEFAULT_REGION_SIZE, readLimit);
        try {
            SnapshotIndex index = new SnapshotIndex(mapped, file.toString(), SHORTEST_HEAD);
            List<String> names = new ArrayList<>();
            for (int i = index.entryCount() - count; i < index.entryCount(); i++) {
                names.add(index.name(i));
            }
            return names;
        } finally {
            mapped.close();
        }
    }

    private static String text(java.nio.ByteBuffer data) {
        return StandardCharsets.UTF_8.decode(data).toString();
    }
}
