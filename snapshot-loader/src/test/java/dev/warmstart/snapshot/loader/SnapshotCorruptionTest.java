package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.SnapshotFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
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

    @Test
    void everyFlippedIndexByteIsRefusedAtOpen() throws IOException {
        for (int offset = 0; offset < indexLength; offset++) {
            Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
            CorruptionInjector.flipByte(bad, SnapshotFormat.BLOCK + offset);
            int at = offset;
            assertThatThrownBy(() -> Snapshot.open(bad))
                    .as("index byte %d flipped", at)
                    .isInstanceOf(CorruptSnapshotException.class);
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
