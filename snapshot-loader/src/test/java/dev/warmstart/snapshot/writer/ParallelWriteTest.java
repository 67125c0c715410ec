package dev.warmstart.snapshot.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entries' data written on several threads, and entries copied from a file without the heap, give exactly the
 * bytes of a one-thread write from memory; a failure on any thread leaves the previous snapshot and no temporary file.
 */
class ParallelWriteTest {
    private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path dir;

    /** How an entry's bytes reach the writer. */
    private enum Source {
        SPOOLED,
        IN_MEMORY,
        IN_FILE
    }

    /**
     * Entries of every kind the layout has: empty, a block exactly, padded, larger than the writer's 1 MiB buffer,
     * and names long enough to need a pax header.
     */
    private static List<byte[]> contents() {
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int size = switch (i % 6) {
                case 0 -> 0;
                case 1 -> SnapshotFormat.BLOCK;
                case 2 -> (1 << 20) + 3 * i;
                default -> i * 997 % 20_000 + 1;
            };
            byte[] bytes = new byte[size];
            for (int j = 0; j < size; j++) {
                bytes[j] = (byte) ('a' + (i + j) % 26);
            }
            contents.add(bytes);
        }
        return contents;
    }

    private static String name(int i) {
        return i % 7 == 0 ? "data/" + "long-name-".repeat(12) + i : "data/e" + i;
    }

    /** @return a file holding every content one after the other, after a few bytes of something else */
    private Path region(List<byte[]> contents) throws IOException {
        Path file = dir.resolve("regions.bin");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap("before".getBytes(StandardCharsets.US_ASCII)));
            for (byte[] c : contents) {
                out.write(ByteBuffer.wrap(c));
            }
        }
        return file;
    }

    private Path write(String fileName, Source source, int threads, boolean readBack) throws IOException {
        List<byte[]> contents = contents();
        Path target = dir.resolve(fileName);
        Path regions = source == Source.IN_FILE ? region(contents) : null;
        try (FileChannel in = regions == null ? null : FileChannel.open(regions, StandardOpenOption.READ);
                SnapshotWriter w = SnapshotWriter.create(target).writeThreads(threads)) {
            long position = "before".length();
            for (int i = contents.size() - 1; i >= 0; i--) {
                byte[] bytes = contents.get(i);
                byte[] sha256 = ContentHash.sha256().digest(bytes);
                switch (source) {
                    case SPOOLED -> w.addEntry(name(i), SnapshotFormat.KIND_FILE, bytes);
                    case IN_MEMORY -> w.addEntry(name(i), SnapshotFormat.KIND_FILE, sha256, bytes.length, () -> bytes);
                    case IN_FILE ->
                        w.addEntry(
                                name(i),
                                SnapshotFormat.KIND_FILE,
                                sha256,
                                bytes.length,
                                SnapshotWriter.Deferred.inFile(in, position + offset(contents, i), bytes.length));
                }
            }
            if (readBack) {
                w.finish(CREATED, "test", "1", Map.of(), ParallelWriteTest::verifiedHash);
            } else {
                w.finish(CREATED, "test", "1", Map.of());
            }
        } finally {
            if (regions != null) {
                Files.delete(regions);
            }
        }
        return target;
    }

    private static long offset(List<byte[]> contents, int index) {
        long offset = 0;
        for (int i = 0; i < index; i++) {
            offset += contents.get(i).length;
        }
        return offset;
    }

    private static String verifiedHash(Path file) throws IOException {
        try (Snapshot s = Snapshot.open(file)) {
            s.verify();
        }
        return ContentHash.hex(ContentHash.sha256().digest(Files.readAllBytes(file)));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theFileIsByteIdenticalOnOneWriteThreadOrMany() throws Exception {
        byte[] one = Files.readAllBytes(write("one.tar", Source.SPOOLED, 1, false));
        for (Source source : Source.values()) {
            for (int threads : new int[] {1, 2, 3, 8, 200}) {
                Path many = write("many.tar", source, threads, true);
                assertThat(Files.readAllBytes(many))
                        .as("%s entries on %d threads", source, threads)
                        .isEqualTo(one);
                Files.delete(many);
            }
        }
    }

    @Test
    void entriesInAFileAreCopiedExactlyAlsoWhenTheFileIsHashedAsItIsWritten() throws Exception {
        byte[] fromMemory = Files.readAllBytes(write("memory.tar", Source.IN_MEMORY, 1, false));
        assertThat(Files.readAllBytes(write("file.tar", Source.IN_FILE, 4, false)))
                .isEqualTo(fromMemory);
        assertThat(Files.readAllBytes(write("file-read-back.tar", Source.IN_FILE, 1, true)))
                .isEqualTo(fromMemory);
    }

    @Test
    void aFailingEntryOnOneOfManyThreadsLeavesThePreviousSnapshotAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("s.tar");
        Files.writeString(target, "the previous snapshot");
        List<byte[]> contents = contents();
        try (SnapshotWriter w = SnapshotWriter.create(target).writeThreads(4)) {
            for (int i = 0; i < contents.size(); i++) {
                byte[] bytes = contents.get(i);
                boolean fails = i == 41;
                w.addEntry(
                        name(i), SnapshotFormat.KIND_FILE, ContentHash.sha256().digest(bytes), bytes.length, () -> {
                            if (fails) {
                                throw new IOException("the disk is gone");
                            }
                            return bytes;
                        });
            }
            assertThatThrownBy(() -> w.finish(CREATED, "test", "1", Map.of(), ParallelWriteTest::verifiedHash))
                    .isInstanceOf(IOException.class)
                    .hasMessage("the disk is gone");
        }
        assertThat(Files.readString(target)).isEqualTo("the previous snapshot");
        assertThat(files()).containsExactly(target);
    }

    @Test
    void aFileThatEndsBeforeItsEntryFailsTheWriteAndLeavesThePreviousSnapshot() throws Exception {
        Path target = dir.resolve("s.tar");
        Files.writeString(target, "the previous snapshot");
        Path region = dir.resolve("short.bin");
        Files.write(region, new byte[100]);
        try (FileChannel in = FileChannel.open(region, StandardOpenOption.READ);
                SnapshotWriter w = SnapshotWriter.create(target).writeThreads(2)) {
            byte[] claimed = new byte[300];
            w.addEntry("data/a", SnapshotFormat.KIND_FILE, claimed);
            w.addEntry(
                    "data/b",
                    SnapshotFormat.KIND_FILE,
                    ContentHash.sha256().digest(claimed),
                    claimed.length,
                    SnapshotWriter.Deferred.inFile(in, 0, claimed.length));
            assertThatThrownBy(() -> w.finish(CREATED, "test", "1", Map.of(), ParallelWriteTest::verifiedHash))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("'data/b'")
                    .hasMessageContaining("ended 200 bytes before");
        }
        assertThat(Files.readString(target)).isEqualTo("the previous snapshot");
        assertThat(files()).containsExactlyInAnyOrder(region, target);
    }

    @Test
    void aFileRegionOfAnotherLengthThanItsEntryIsRefused() throws Exception {
        Path region = dir.resolve("r.bin");
        Files.write(region, new byte[100]);
        try (FileChannel in = FileChannel.open(region, StandardOpenOption.READ);
                SnapshotWriter w = SnapshotWriter.create(dir.resolve("s.tar"))) {
            assertThatThrownBy(() -> w.addEntry(
                            "data/a",
                            SnapshotFormat.KIND_FILE,
                            new byte[32],
                            100,
                            SnapshotWriter.Deferred.inFile(in, 0, 99)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'data/a'");
        }
    }
}
