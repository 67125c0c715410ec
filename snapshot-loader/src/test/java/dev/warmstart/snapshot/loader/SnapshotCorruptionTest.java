package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.SnapshotFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files are refused with a specific exception, never served wrong or crash the JVM. */
class SnapshotCorruptionTest {
    @TempDir
    Path dir;

    Path good;
    long fileLength;
    int indexLength;
    SnapshotEntry dataEntry;

    @BeforeEach
    void writeGoodSnapshot() throws IOException {
        good = SnapshotTestFiles.small(dir.resolve("good.tar"));
        fileLength = Files.size(good);
        try (Snapshot snapshot = Snapshot.open(good)) {
            snapshot.verify();
            indexLength = snapshot.indexLength();
            dataEntry = snapshot.entries().stream()
                    .filter(e -> e.name().equals("dir/c.txt"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void truncationAtAnyOffsetIsRefusedAtOpen() throws IOException {
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            long length = i < 40 ? i * 97L : random.nextLong(fileLength);
            Path cut = CorruptionInjector.truncatedCopy(good, length, dir.resolve("cut.tar"));
            assertThatThrownBy(() -> Snapshot.open(cut))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("cut.tar");
        }
    }

    @Test
    void truncationMessageSaysHowMuchIsMissing() throws IOException {
        Path cut = CorruptionInjector.truncatedCopy(good, fileLength - 512, dir.resolve("cut.tar"));
        assertThatThrownBy(() -> Snapshot.open(cut))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining(String.valueOf(fileLength));
    }

    @Test
    void appendedBytesAreRefusedAtOpen() throws IOException {
        Path longer = CorruptionInjector.copy(good, dir.resolve("longer.tar"));
        Files.write(longer, new byte[512], java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> Snapshot.open(longer))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("unexpected bytes");
    }

    /**
     * The corruption matrix of a 1.1 index of three blocks, byte by byte: damage in the header (its fields, the
     * block table, the header CRC) is refused at open; damage in a block (its records or the names they use) is
     * not looked for at open, but every lookup of an entry of that block fails before returning anything, and
     * {@code verify()} finds it; damage in the trailer changes nothing served and {@code verify()} finds it.
     */
    @Test
    void everyFlippedIndexByteIsCaughtBeforeAnyValueOfItsBlockIsServed() throws IOException {
        Path multi = SnapshotTestFiles.many(dir.resolve("multi.tar"), 150); // 151 records: blocks of 64, 64, 23
        IndexRegions regions = IndexRegions.of(multi);
        assertThat(regions.blockCount()).isEqualTo(3);
        List<String> names;
        try (Snapshot snapshot = Snapshot.open(multi)) {
            names = snapshot.entryNames();
        }
        Path bad = CorruptionInjector.copy(multi, dir.resolve("bad.tar"));
        for (int offset = 0; offset < regions.indexLength(); offset++) {
            int at = offset;
            CorruptionInjector.flipByte(bad, SnapshotFormat.BLOCK + offset);
            if (regions.inHeader(offset)) {
                assertThatThrownBy(() -> Snapshot.open(bad))
                        .as("header byte %d flipped", at)
                        .isInstanceOf(CorruptSnapshotException.class)
                        .hasMessageContaining("bad.tar");
            } else {
                try (Snapshot snapshot = Snapshot.open(bad)) {
                    if (regions.inTrailer(offset)) {
                        for (String name : names) {
                            assertThat(snapshot.hasEntry(name)).as(name).isTrue();
                        }
                    } else {
                        // Every lookup of an entry of the block reads the block; the first, the last and the entry
                        // whose
                        // record or name holds the flipped byte stand for all 64 (all of them for all 11,000 bytes
                        // take half a minute).
                        int block = regions.blockOf(offset);
                        int owner = regions.entryOf(offset, names);
                        for (int i : new int[] {regions.firstEntry(block), owner, regions.endEntry(block) - 1}) {
                            String name = names.get(i);
                            assertThatThrownBy(() -> snapshot.findEntry(name))
                                    .as("byte %d of block %d flipped, entry %s", at, block, name)
                                    .isInstanceOf(CorruptSnapshotException.class)
                                    .hasMessageContaining("bad.tar");
                        }
                    }
                    assertThatThrownBy(snapshot::verify)
                            .as("index byte %d flipped", at)
                            .isInstanceOf(CorruptSnapshotException.class)
                            .hasMessageContaining("damaged index");
                }
            }
            CorruptionInjector.flipByte(bad, SnapshotFormat.BLOCK + offset); // flipped back: good again
        }
        assertThat(Files.readAllBytes(bad)).isEqualTo(Files.readAllBytes(multi));
    }

    @Test
    void aDamagedIndexBlockIsReportedByItsFirstLookupNamingTheFileAndBothCrcs() throws IOException {
        Path multi = SnapshotTestFiles.many(dir.resolve("multi.tar"), 150);
        IndexRegions regions = IndexRegions.of(multi);
        List<String> names;
        try (Snapshot snapshot = Snapshot.open(multi)) {
            names = snapshot.entryNames();
        }
        String inLastBlock = names.get(regions.firstEntry(2) + 5);
        Path bad = CorruptionInjector.copy(multi, dir.resolve("bad.tar"));
        // the data length of an entry of the last block: left unchecked it would serve the wrong bytes
        CorruptionInjector.flipByte(bad, CorruptionInjector.recordField(bad, regions.firstEntry(2) + 5, 23));
        try (Snapshot snapshot = Snapshot.open(bad)) {
            for (int attempt = 0; attempt < 2; attempt++) { // a block that failed is never taken as checked
                assertThatThrownBy(() -> snapshot.entry(inLastBlock))
                        .isInstanceOf(CorruptSnapshotException.class)
                        .hasMessageContaining("bad.tar")
                        .hasMessageContaining("damaged index block 2 of 3")
                        .hasMessageMatching(".*CRC-32 [0-9a-f]{8}, stored [0-9a-f]{8}.*");
            }
            for (String name : names.subList(regions.firstEntry(2), regions.endEntry(2))) {
                assertThatThrownBy(() -> snapshot.entry(name)).isInstanceOf(CorruptSnapshotException.class);
            }
        }
    }

    @Test
    void verifyFindsADamagedIndexBlockThatNoLookupRead() throws IOException {
        Path multi = SnapshotTestFiles.many(dir.resolve("multi.tar"), 150);
        IndexRegions regions = IndexRegions.of(multi);
        Path bad = CorruptionInjector.copy(multi, dir.resolve("bad.tar"));
        CorruptionInjector.flipByte(bad, SnapshotFormat.BLOCK + regions.namesStart() + 3); // a name in block 0
        try (Snapshot snapshot = Snapshot.open(bad)) {
            assertThatThrownBy(snapshot::verify)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("damaged index block 0 of 3");
        }
    }

    @Test
    void verifyChecksEveryBlockAgainEvenAfterLookupsCheckedThem() throws IOException {
        Path multi = SnapshotTestFiles.many(dir.resolve("multi.tar"), 150);
        // Mapped (a file this small is read by default), so the flip below reaches what verify() reads.
        try (Snapshot snapshot = Snapshot.open(multi, Snapshot.DEFAULT_REGION_SIZE, 0)) {
            snapshot.entryNames(); // reads, and so checks, every block
            CorruptionInjector.flipByte(multi, CorruptionInjector.recordField(multi, 70, 40)); // under the mapping
            assertThatThrownBy(snapshot::verify)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("damaged index block 1 of 3");
        }
    }

    @Test
    void concurrentFirstLookupsOfADamagedBlockAllFailAndOfGoodBlocksAllSucceed() throws Exception {
        Path multi = SnapshotTestFiles.many(dir.resolve("multi.tar"), 1000); // 16 blocks
        IndexRegions regions = IndexRegions.of(multi);
        List<String> names;
        try (Snapshot snapshot = Snapshot.open(multi)) {
            names = snapshot.entryNames();
        }
        int damagedBlock = 11;
        CorruptionInjector.flipByte(multi, CorruptionInjector.recordField(multi, regions.firstEntry(damagedBlock), 1));
        for (int round = 0; round < 10; round++) {
            try (Snapshot snapshot = Snapshot.open(multi)) {
                CountDownLatch start = new CountDownLatch(1);
                List<Throwable> wrong = Collections.synchronizedList(new ArrayList<>());
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    List<String> order = new ArrayList<>(names);
                    Collections.shuffle(order, new Random(round * 10L + t));
                    threads.add(new Thread(() -> {
                        try {
                            start.await();
                            for (String name : order) {
                                int i = names.indexOf(name);
                                boolean damaged =
                                        i >= regions.firstEntry(damagedBlock) && i < regions.endEntry(damagedBlock);
                                try {
                                    Optional<ByteBuffer> found = snapshot.findEntry(name);
                                    if (damaged || found.isEmpty()) {
                                        wrong.add(new AssertionError(name + " served"));
                                    }
                                } catch (CorruptSnapshotException e) {
                                    // the binary search of any entry may pass through the damaged block
                                    if (!e.getMessage().contains("damaged index block " + damagedBlock + " ")) {
                                        wrong.add(e);
                                    }
                                }
                            }
                        } catch (Throwable e) {
                            wrong.add(e);
                        }
                    }));
                }
                threads.forEach(Thread::start);
                start.countDown();
                for (Thread thread : threads) {
                    thread.join();
                }
                assertThat(wrong).isEmpty();
            }
        }
    }

    /** Format 1.0 files keep their check: one CRC32C over the whole index, so any damage is refused at open. */
    @Test
    void everyFlippedIndexByteOfAFormat10FileIsRefusedAtOpen() throws Exception {
        Path old = FormatVersionTest.format10Fixture(dir.resolve("old.tar"));
        int length;
        try (Snapshot snapshot = Snapshot.open(old)) {
            assertThat(snapshot.formatVersion()).isEqualTo("1.0");
            length = snapshot.indexLength();
        }
        for (int offset = 0; offset < length; offset++) {
            CorruptionInjector.flipByte(old, SnapshotFormat.BLOCK + offset);
            int at = offset;
            assertThatThrownBy(() -> Snapshot.open(old))
                    .as("index byte %d flipped", at)
                    .isInstanceOf(CorruptSnapshotException.class);
            CorruptionInjector.flipByte(old, SnapshotFormat.BLOCK + offset);
        }
    }

    @Test
    void flippedByteInTheFirstTarHeaderIsRefusedAtOpen() throws IOException {
        for (int offset : new int[] {0, 5, 100, 124, 148, 257, 300}) {
            Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
            CorruptionInjector.flipByte(bad, offset);
            assertThatThrownBy(() -> Snapshot.open(bad))
                    .as("header byte %d", offset)
                    .isInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void flippedByteInAnEntryTarHeaderIsFoundByVerify() throws IOException {
        Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
        CorruptionInjector.flipByte(bad, dataEntry.offset() - SnapshotFormat.BLOCK + 10);
        try (Snapshot snapshot = Snapshot.open(bad)) {
            assertThatThrownBy(snapshot::verify)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("tar header");
        }
    }

    @Test
    void flippedDataByteIsFoundByVerifyAndNamesTheEntry() throws IOException {
        Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
        CorruptionInjector.flipByte(bad, dataEntry.offset() + dataEntry.length() - 1);
        try (Snapshot snapshot = Snapshot.open(bad)) {
            assertThatThrownBy(snapshot::verify)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("dir/c.txt")
                    .hasMessageContaining("SHA-256");
        }
    }

    @Test
    void flippedDataByteIsRefusedAtFirstAccessWhenAsked() throws IOException {
        Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
        CorruptionInjector.flipByte(bad, dataEntry.offset());
        try (Snapshot snapshot = Snapshot.open(bad, SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            assertThatThrownBy(() -> snapshot.entry("dir/c.txt")).isInstanceOf(CorruptSnapshotException.class);
            // and refused again: a damaged entry is never marked verified
            assertThatThrownBy(() -> snapshot.entry("dir/c.txt")).isInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void damagedMetadataIsFoundByVerify() throws IOException {
        long metadataOffset;
        try (Snapshot snapshot = Snapshot.open(good)) {
            metadataOffset = snapshot.entries().stream()
                    .filter(e -> e.name().equals(SnapshotFormat.METADATA_ENTRY))
                    .findFirst()
                    .orElseThrow()
                    .offset();
        }
        Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
        CorruptionInjector.flipByte(bad, metadataOffset + 8);
        try (Snapshot snapshot = Snapshot.open(bad)) {
            assertThatThrownBy(snapshot::verify).isInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void wrongMagicIsRefusedAsNotASnapshot() throws IOException {
        Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
        CorruptionInjector.writeBytes(bad, SnapshotFormat.BLOCK, "NOTASNAP".getBytes());
        assertThatThrownBy(() -> Snapshot.open(bad))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("magic");
    }

    @Test
    void anOrdinaryTarIsRefusedAsNotASnapshot() throws Exception {
        Path plain = dir.resolve("plain.tar");
        Files.writeString(dir.resolve("hello.txt"), "hello");
        Process tar = new ProcessBuilder("tar", "-cf", plain.toString(), "-C", dir.toString(), "hello.txt").start();
        assertThat(tar.waitFor()).isZero();
        assertThatThrownBy(() -> Snapshot.open(plain))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("not a Warmstart snapshot");
    }

    @Test
    void newerMajorVersionIsRefusedNamingBothVersions() throws IOException {
        Path future = CorruptionInjector.copy(good, dir.resolve("future.tar"));
        // A genuine future file: version 2.3 with a preamble CRC that matches it.
        ByteBuffer preamble = ByteBuffer.allocate(16);
        preamble.put(SnapshotFormat.INDEX_MAGIC).putShort((short) 2).putShort((short) 3);
        CRC32C crc = new CRC32C();
        crc.update(preamble.array(), 0, 12);
        preamble.putInt((int) crc.getValue());
        CorruptionInjector.writeBytes(future, SnapshotFormat.BLOCK, preamble.array());
        assertThatThrownBy(() -> Snapshot.open(future))
                .isInstanceOf(UnsupportedFormatVersionException.class)
                .hasMessageContaining("2.3")
                .hasMessageContaining("1.x")
                .hasMessageContaining("future.tar");
    }

    @Test
    void aDirectoryOrMissingFileIsAnIoError() {
        assertThatThrownBy(() -> Snapshot.open(dir.resolve("missing.tar"))).isInstanceOf(IOException.class);
    }
}
