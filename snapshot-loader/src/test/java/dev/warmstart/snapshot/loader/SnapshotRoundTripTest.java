package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRoundTripTest {
    @TempDir
    Path dir;

    @RepeatedTest(5)
    void randomEntrySetsReadBackByteForByte() throws IOException {
        Map<String, byte[]> entries = randomEntries(new Random(), 200); // an index of 4 blocks
        Path file = SnapshotTestFiles.write(dir.resolve("r.tar"), entries);
        try (Snapshot snapshot = Snapshot.open(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                assertThat(bytes(snapshot.entry(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(snapshot.entryCount()).isEqualTo(entries.size() + 1);
            snapshot.verify();
        }
    }

    @Test
    void smallRegionsServeEntriesThatStraddleRegionBoundaries() throws IOException {
        Map<String, byte[]> entries = randomEntries(new Random(7), 30);
        entries.put("big", randomBytes(new Random(8), 50_000));
        Path file = SnapshotTestFiles.write(dir.resolve("regions.tar"), entries);
        try (Snapshot snapshot = Snapshot.open(file, 4096)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                assertThat(bytes(snapshot.entry(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
            }
            snapshot.verify();
        }
    }

    @Test
    void gnuTarAndCommonsCompressSeeTheSameNamesAndBytes() throws Exception {
        Map<String, byte[]> entries = randomEntries(new Random(42), 25);
        Path file = SnapshotTestFiles.write(dir.resolve("t.tar"), entries);

        Map<String, byte[]> viaCommons = new TreeMap<>();
        try (TarFile tar = new TarFile(file)) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                try (InputStream in = tar.getInputStream(entry)) {
                    viaCommons.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        assertThat(viaCommons.keySet()).contains(".warmstart/index", ".warmstart/metadata.json");
        viaCommons.remove(".warmstart/index");
        viaCommons.remove(".warmstart/metadata.json");
        assertSameContent(viaCommons, entries);

        Path out = Files.createDirectories(dir.resolve("extracted"));
        Process list = new ProcessBuilder("tar", "-tf", file.toString())
                .redirectErrorStream(true)
                .start();
        String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(list.exitValue()).as(listing).isZero();
        List<String> listed = new ArrayList<>(Arrays.asList(listing.split("\n")));
        listed.remove(".warmstart/index");
        listed.remove(".warmstart/metadata.json");
        assertThat(listed).containsExactlyInAnyOrderElementsOf(entries.keySet());

        Process extract = new ProcessBuilder("tar", "-xf", file.toString(), "-C", out.toString())
                .redirectErrorStream(true)
                .start();
        String messages = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(extract.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(extract.exitValue()).as(messages).isZero();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            assertThat(Files.readAllBytes(out.resolve(e.getKey())))
                    .as(e.getKey())
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void sameContentAndTimeGiveByteIdenticalFiles() throws IOException {
        Map<String, byte[]> entries = randomEntries(new Random(3), 200); // an index of 4 blocks
        Map<String, byte[]> reversed = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(entries.keySet());
        java.util.Collections.reverse(names);
        names.forEach(k -> reversed.put(k, entries.get(k)));
        Path a = SnapshotTestFiles.write(dir.resolve("a.tar"), entries);
        Path b = SnapshotTestFiles.write(dir.resolve("b.tar"), reversed);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void idIsCreationTimeAndContentHashPrefix() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThat(snapshot.id())
                    .isEqualTo("20260304T050607Z-" + snapshot.contentHash().substring(0, 12));
            SnapshotMetadata metadata = snapshot.metadata();
            assertThat(metadata.id()).isEqualTo(snapshot.id());
            assertThat(metadata.contentHash()).isEqualTo(snapshot.contentHash());
            assertThat(metadata.entryCount()).isEqualTo(3);
            assertThat(metadata.fileBytes()).isEqualTo(Files.size(file));
            assertThat(metadata.provenance()).containsEntry("project", "dev.warmstart:test:1");
            assertThat(metadata.formatVersion()).isEqualTo("1.1");
        }
    }

    @Test
    void contentHashIgnoresTheCreationTime() throws IOException {
        Path a = SnapshotTestFiles.small(dir.resolve("a.tar"));
        Path b = dir.resolve("b.tar");
        try (var writer = dev.warmstart.snapshot.writer.SnapshotWriter.create(b)) {
            writer.addEntry("a.txt", 5, "alpha".getBytes());
            writer.addEntry("dir/b.bin", 5, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            writer.addEntry("dir/c.txt", 5, "gamma gamma gamma".repeat(40).getBytes());
            writer.finish(java.time.Instant.parse("2030-01-01T00:00:00Z"), "other", "9", Map.of());
        }
        try (Snapshot sa = Snapshot.open(a);
                Snapshot sb = Snapshot.open(b)) {
            assertThat(sa.contentHash()).isEqualTo(sb.contentHash());
            assertThat(sa.id()).isNotEqualTo(sb.id());
        }
    }

    @Test
    void entrySlicesAreReadOnlyAndZeroCopy() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        try (Snapshot snapshot = Snapshot.open(file)) {
            ByteBuffer data = snapshot.entry("a.txt");
            assertThat(data.isReadOnly()).isTrue();
            assertThat(data.isDirect()).isTrue();
            assertThat(data.remaining()).isEqualTo(5);
        }
    }

    @Test
    void missingEntryNamesTheFileAndTheEntry() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        try (Snapshot snapshot = Snapshot.open(file)) {
            assertThat(snapshot.findEntry("nope")).isEmpty();
            assertThat(snapshot.hasEntry("a.txt")).isTrue();
            assertThatThrownBy(() -> snapshot.entry("nope"))
                    .isInstanceOf(MissingEntryException.class)
                    .hasMessageContaining("s.tar")
                    .hasMessageContaining("'nope'");
        }
    }

    @Test
    void useAfterCloseIsAClearIllegalStateAndEarlierSlicesStayReadableOnlyOnJava17() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        // Mapped whatever its size (a file this small is read by default: see the next test).
        Snapshot snapshot = Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, 0);
        ByteBuffer before = snapshot.entry("a.txt");
        snapshot.close();
        snapshot.close();
        assertThatThrownBy(() -> snapshot.entry("a.txt"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        if (MappedFile.unmapsOnClose()) {
            // Java 22+: close unmapped the file; the JVM refuses the read instead of touching unmapped memory.
            assertThatThrownBy(() -> bytes(before)).isInstanceOf(IllegalStateException.class);
        } else {
            assertThat(bytes(before)).isEqualTo("alpha".getBytes());
        }
    }

    @Test
    void aSmallSnapshotReadNotMappedKeepsEarlierSlicesReadableAfterCloseOnEveryJava() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        Snapshot snapshot = Snapshot.open(file); // read into direct memory, freed by the garbage collector
        ByteBuffer before = snapshot.entry("a.txt");
        snapshot.close();
        assertThatThrownBy(() -> snapshot.entry("a.txt")).isInstanceOf(IllegalStateException.class);
        assertThat(bytes(before)).isEqualTo("alpha".getBytes());
    }

    @Test
    void closingWhileOtherThreadsReadNeverCrashes() throws Exception {
        Map<String, byte[]> entries = randomEntries(new Random(11), 50);
        Path file = SnapshotTestFiles.write(dir.resolve("c.tar"), entries);
        for (int round = 0; round < 20; round++) {
            Snapshot snapshot = Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, 0); // mapped: unmapped on 22+
            List<Thread> readers = new ArrayList<>();
            List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                Thread reader = new Thread(() -> {
                    try {
                        for (int i = 0; i < 2000; i++) {
                            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                                ByteBuffer b = snapshot.entry(e.getKey());
                                if (b.remaining() != e.getValue().length) {
                                    unexpected.add(new AssertionError("torn read of " + e.getKey()));
                                }
                            }
                        }
                    } catch (IllegalStateException closed) {
                        // expected once the snapshot is closed
                    } catch (Throwable other) {
                        unexpected.add(other);
                    }
                });
                reader.start();
                readers.add(reader);
            }
            Thread.sleep(2);
            snapshot.close();
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(unexpected).isEmpty();
        }
    }

    @Test
    void verifyOnFirstAccessRefusesDamagedDataAtFirstRead() throws IOException {
        Path file = SnapshotTestFiles.small(dir.resolve("s.tar"));
        long offset;
        try (Snapshot snapshot = Snapshot.open(file)) {
            offset = snapshot.entries().stream()
                    .filter(e -> e.name().equals("dir/c.txt"))
                    .findFirst()
                    .orElseThrow()
                    .offset();
        }
        CorruptionInjector.flipByte(file, offset + 3);
        try (Snapshot snapshot = Snapshot.open(file, SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            assertThat(bytes(snapshot.entry("a.txt"))).isEqualTo("alpha".getBytes());
            assertThatThrownBy(() -> snapshot.entry("dir/c.txt"))
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("dir/c.txt");
        }
    }

    static void assertSameContent(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isEqualTo(v));
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** Names of many lengths (some over 100 bytes), non-ASCII, empty and large entries. */
    static Map<String, byte[]> randomEntries(Random random, int count) {
        String[] alphabets = {"abcdefghij", "ÄÖÜßéè", "文件名称测试", "😀🚀", "-_~. "};
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("empty.txt", new byte[0]);
        entries.put("x".repeat(99) + "/" + "y".repeat(120), "long name".getBytes());
        entries.put("large.bin", randomBytes(random, 300_000 + random.nextInt(10_000)));
        while (entries.size() < count) {
            StringBuilder name = new StringBuilder();
            int segments = 1 + random.nextInt(4);
            for (int s = 0; s < segments; s++) {
                if (s > 0) {
                    name.append('/');
                }
                String alphabet = alphabets[random.nextInt(alphabets.length)];
                int len = 1 + random.nextInt(s == segments - 1 ? 60 : 20);
                for (int i = 0; i < len; i++) {
                    name.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(
                            0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
                }
            }
            String n = name.toString().strip();
            if (n.isEmpty()
                    || Arrays.stream(n.split("/", -1))
                            .anyMatch(seg ->
                                    seg.isBlank() || seg.equals(".") || seg.equals("..") || !seg.equals(seg.strip()))
                    || n.startsWith(".warmstart/")) {
                continue;
            }
            // A name that is another's directory would collide when extracted with tar.
            if (entries.keySet().stream().anyMatch(k -> k.startsWith(n + "/") || n.startsWith(k + "/"))) {
                continue;
            }
            entries.put(n, randomBytes(random, random.nextInt(3000)));
        }
        return entries;
    }

    static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
