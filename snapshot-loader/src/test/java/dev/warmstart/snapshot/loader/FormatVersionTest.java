package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 1.0 files (one CRC32C over the whole index) and 1.1 files (a CRC per block of index records) open and
 * serve the same content; a 1.1 file keeps what a 1.0 reader relies on; a later minor is read with the block
 * table.
 */
class FormatVersionTest {
    /**
     * {@code format-1.0.tar}, written by the format 1.0 writer (snapshot-loader 0.2.0-SNAPSHOT before format 1.1)
     * and kept as it was: config {@code model.name: gpt-4o}, {@code model.temperature: 0.2}, {@code stop: [a, b]},
     * {@code port: ${env:WARMSTART_FIXTURE_PORT:-8080}}; prompt {@code greet} = "Hello {{name}}, welcome to
     * {{product}}!"; {@code docs/readme.txt}; and a file whose name needs a pax header.
     */
    static Path format10Fixture(Path target) throws IOException {
        try (InputStream in = FormatVersionTest.class.getResourceAsStream("format-1.0.tar")) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    @TempDir
    Path dir;

    @Test
    void aFormat10SnapshotOpensServesItsContentAndVerifies() throws IOException {
        try (Snapshot snapshot = Snapshot.open(format10Fixture(dir.resolve("old.tar")))) {
            assertThat(snapshot.formatVersion()).isEqualTo("1.0");
            assertThat(snapshot.metadata().formatVersion()).isEqualTo("1.0");
            assertThat(snapshot.id()).isEqualTo("20260304T050607Z-d5da50032fce");
            assertThat(snapshot.config().getString("model.name")).isEqualTo("gpt-4o");
            assertThat(snapshot.config().getDouble("model.temperature")).isEqualTo(0.2);
            assertThat(snapshot.config().getStringList("stop")).containsExactly("a", "b");
            assertThat(snapshot.prompt("greet").render(Map.of("name", "Ada", "product", "Acme")))
                    .isEqualTo("Hello Ada, welcome to Acme!");
            assertThat(text(snapshot.entry("docs/readme.txt"))).isEqualTo("Written by the format 1.0 writer.\n");
            snapshot.verify();
        }
    }

    /**
     * The 1.1 header and block CRCs are CRC-32 (java.util.zip.CRC32), the preamble and trailer CRC32C, as
     * docs/format.md section 2.1 says: computed here from the bytes alone, as a reader in another language would.
     */
    @Test
    void aFormat11IndexHasCrc32HeaderAndBlockCrcsAndCrc32cPreambleAndTrailer() throws IOException {
        Path file = SnapshotTestFiles.many(dir.resolve("crcs.tar"), 150);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        int indexLength = (int) bytes.getLong(SnapshotFormat.BLOCK + 48);
        ByteBuffer index = bytes.slice(SnapshotFormat.BLOCK, indexLength);
        int headerLength = index.getInt(16);
        int count = index.getInt(20);
        int namesLength = index.getInt(40);
        int perBlock = index.getInt(56);
        assertThat(crc(new CRC32C(), index, 0, 12)).isEqualTo(index.getInt(12));
        assertThat(crc(new CRC32(), index, 0, headerLength - 4)).isEqualTo(index.getInt(headerLength - 4));
        int namesStart = headerLength + count * SnapshotFormat.INDEX_RECORD_LENGTH;
        int namesFrom = 0;
        for (int block = 0; block * perBlock < count; block++) {
            int namesTo = index.getInt(96 + 8 * block);
            int first = block * perBlock;
            int records = Math.min(perBlock, count - first);
            CRC32 crc = new CRC32();
            crc.update(index.slice(headerLength + first * SnapshotFormat.INDEX_RECORD_LENGTH, records * 64));
            crc.update(index.slice(namesStart + namesFrom, namesTo - namesFrom));
            assertThat((int) crc.getValue()).as("block " + block).isEqualTo(index.getInt(96 + 8 * block + 4));
            namesFrom = namesTo;
        }
        assertThat(namesFrom).isEqualTo(namesLength);
        assertThat(crc(new CRC32C(), index, 0, indexLength - 4)).isEqualTo(index.getInt(indexLength - 4));
    }

    private static int crc(java.util.zip.Checksum checksum, ByteBuffer bytes, int offset, int length) {
        checksum.update(bytes.slice(offset, length));
        return (int) checksum.getValue();
    }

    @Test
    void theSameContentWrittenAsFormat11ServesTheSameValues() throws IOException {
        Path old = format10Fixture(dir.resolve("old.tar"));
        Path rewritten = rewrite(old, dir.resolve("new.tar"));
        try (Snapshot a = Snapshot.open(old);
                Snapshot b = Snapshot.open(rewritten)) {
            assertThat(b.formatVersion()).isEqualTo("1.1");
            assertThat(b.metadata().formatVersion()).isEqualTo("1.1");
            assertThat(b.id()).isEqualTo(a.id());
            assertThat(b.contentHash()).isEqualTo(a.contentHash());
            assertThat(b.entryNames()).isEqualTo(a.entryNames());
            for (String name : a.entryNames()) {
                if (!name.startsWith(SnapshotFormat.RESERVED_PREFIX)) {
                    assertThat(b.entry(name)).as(name).isEqualTo(a.entry(name));
                }
            }
            for (String key : List.of("model.name", "model.temperature", "stop[0]", "stop[1]", "port")) {
                assertThat(b.config().getString(key))
                        .as(key)
                        .isEqualTo(a.config().getString(key));
            }
            Map<String, Object> values = Map.of("name", "Ada", "product", "Acme");
            assertThat(b.prompt("greet").render(values))
                    .isEqualTo(a.prompt("greet").render(values));
            assertThat(b.promptNames()).isEqualTo(a.promptNames());
            b.verify();
        }
    }

    /**
     * A 1.0 reader reads every minor of major 1 and checks the whole index at open. Read that way (its minor set
     * to 0), a 1.1 file serves the same content and verifies: its header length still locates the records, and
     * its trailer CRC still covers the whole index.
     */
    @Test
    void aFormat11FileReadTheWayA10ReaderReadsItServesTheSameContent() throws IOException {
        Path file = SnapshotTestFiles.many(dir.resolve("new.tar"), 150);
        Path asOld = setMinorVersion(Files.copy(file, dir.resolve("as-old.tar")), 0);
        CorruptionInjector.resealIndex(asOld); // the trailer covers the version field just changed; nothing else
        try (Snapshot a = Snapshot.open(file);
                Snapshot b = Snapshot.open(asOld)) {
            assertThat(b.formatVersion()).isEqualTo("1.0");
            assertThat(b.entryNames()).isEqualTo(a.entryNames());
            for (String name : a.entryNames()) {
                assertThat(b.entry(name)).as(name).isEqualTo(a.entry(name));
            }
            b.verify();
        }
        // and damage anywhere in its index is then refused at open, as a 1.0 reader does
        CorruptionInjector.flipByte(asOld, CorruptionInjector.recordField(asOld, 100, 40));
        assertThatThrownBy(() -> Snapshot.open(asOld))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("damaged index (CRC32C");
    }

    @Test
    void aLaterMinorVersionIsReadWithTheBlockTable() throws IOException {
        Path file = SnapshotTestFiles.many(dir.resolve("later.tar"), 150);
        setMinorVersion(file, 9);
        CorruptionInjector.resealIndex(file);
        String name;
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThat(snapshot.formatVersion()).isEqualTo("1.9");
            name = snapshot.entryNames().get(100);
            assertThat(text(snapshot.entry(name))).isEqualTo("content of " + name);
            snapshot.verify();
        }
        CorruptionInjector.flipByte(file, CorruptionInjector.recordField(file, 100, 40));
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThatThrownBy(() -> snapshot.entry(name))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("damaged index block 1 of 3");
        }
    }

    /** Rewrites a snapshot's content with the current writer, keeping its time, producer and provenance. */
    private static Path rewrite(Path from, Path to) throws IOException {
        try (Snapshot old = Snapshot.open(from);
                SnapshotWriter writer = SnapshotWriter.create(to)) {
            for (SnapshotEntry e : old.entries()) {
                if (!e.name().startsWith(SnapshotFormat.RESERVED_PREFIX)) {
                    ByteBuffer data = old.entry(e.name());
                    byte[] bytes = new byte[data.remaining()];
                    data.get(bytes);
                    writer.addEntry(e.name(), e.kind(), bytes);
                }
            }
            SnapshotMetadata m = old.metadata();
            writer.finish(old.created(), m.producer(), m.producerVersion(), m.provenance());
        }
        return to;
    }

    /** Sets the index's minor version, with a preamble CRC that matches it: a genuine file of that version. */
    private static Path setMinorVersion(Path file, int minor) throws IOException {
        byte[] preamble = new byte[16];
        ByteBuffer b = ByteBuffer.wrap(preamble);
        b.put(SnapshotFormat.INDEX_MAGIC)
                .putShort((short) SnapshotFormat.MAJOR_VERSION)
                .putShort((short) minor);
        CRC32C crc = new CRC32C();
        crc.update(preamble, 0, 12);
        b.putInt((int) crc.getValue());
        CorruptionInjector.writeBytes(file, SnapshotFormat.BLOCK, preamble);
        return file;
    }

    private static String text(ByteBuffer data) {
        return java.nio.charset.StandardCharsets.UTF_8.decode(data.duplicate()).toString();
    }
}
