package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.PromptSyntaxException;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What closing a snapshot releases (issue 13, target 5): on Java 22+ {@link FileMapping} chooses the jar's
 * {@code ArenaFileMapping}, which unmaps the file on close; on Java 17 the mapping stays until a garbage
 * collection. The build runs this class on Java 17 (surefire, over {@code target/classes}, where the Java 22 class
 * file sits too) and on JDK 25 against the packaged jar (failsafe, with {@code warmstart.expectUnmapOnClose=true}).
 */
class MappingReleaseTest {
    private static final Path MAPS = Path.of("/proc/self/maps");

    @TempDir
    Path dir;

    @Test
    void theJava22MappingUnmapsOnCloseExactlyWhereTheBuildExpectsIt() {
        // Fails when the JDK 25 run does not choose ArenaFileMapping (the jar lacks it, the choice is wrong), or when
        // the Java 17 run somehow does.
        assertThat(MappedFile.unmapsOnClose())
                .as("FileMapping.unmapsOnClose() on Java " + Runtime.version().feature())
                .isEqualTo(Boolean.getBoolean("warmstart.expectUnmapOnClose"));
        if (MappedFile.unmapsOnClose()) {
            assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(22);
        }
    }

    /**
     * The loader jar is a plain jar: from JDK 24 on, opening a jar with {@code META-INF/versions/} entries runs the
     * JVM's first lambda (~4 ms of every service's start-up, docs/performance.md section 5). The Java 22 mapping is
     * a class of its own beside the Java 17 ones, and it is the one a JDK 22+ maps with.
     */
    @Test
    void theLoaderJarIsNotMultiReleaseAndOnJava22ItsArenaMappingIsTheOneUsed() throws Exception {
        Path location = Path.of(FileMapping.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        assumeTrue(
                Files.isRegularFile(location),
                "run over " + location + ": the packaged jar is checked by the JDK 25 run (failsafe)");
        try (JarFile jar = new JarFile(location.toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
            assertThat(jar.isMultiRelease()).as("multi-release: " + location).isFalse();
            assertThat(jar.getManifest().getMainAttributes().getValue("Multi-Release"))
                    .as("Multi-Release attribute")
                    .isNull();
            assertThat(jar.stream().map(JarEntry::getName))
                    .as("entries of " + location)
                    .noneMatch(name -> name.startsWith("META-INF/versions/"));
            assertThat(classFileMajorVersion(jar, "dev/warmstart/snapshot/loader/ArenaFileMapping.class"))
                    .as("ArenaFileMapping's class file version (Java 22)")
                    .isEqualTo(66);
            assertThat(classFileMajorVersion(jar, "dev/warmstart/snapshot/loader/FileMapping.class"))
                    .as("FileMapping's class file version (Java 17)")
                    .isEqualTo(61);
        }
        Path file = withConfigAndAPrompt(dir.resolve("chosen.tar"));
        try (FileChannel channel = FileChannel.open(file)) {
            FileMapping mapping = FileMapping.map(channel, channel.size());
            try {
                assertThat(mapping.getClass().getSimpleName())
                        .as("the mapping chosen on Java " + Runtime.version().feature())
                        .isEqualTo(Runtime.version().feature() >= 22 ? "ArenaFileMapping" : "FileMapping");
            } finally {
                mapping.close();
            }
        }
    }

    private static int classFileMajorVersion(JarFile jar, String name) throws IOException {
        JarEntry entry = jar.getJarEntry(name);
        assertThat(entry).as(name + " in " + jar.getName()).isNotNull();
        try (DataInputStream in = new DataInputStream(jar.getInputStream(entry))) {
            assertThat(in.readInt()).as("magic of " + name).isEqualTo(0xCAFEBABE);
            in.readUnsignedShort(); // minor
            return in.readUnsignedShort();
        }
    }

    @Test
    void afterManyOpenCloseCyclesNoMappingOfTheFileIsLeft() throws IOException {
        assumeTrue(MappedFile.unmapsOnClose(), "Java 17: a closed snapshot stays mapped until a garbage collection");
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path file = withConfigAndAPrompt(dir.resolve("cycled.tar"));
        try (Snapshot snapshot = mapped(file)) {
            assertThat(snapshot.config().getString("model.name")).isEqualTo("gpt-4o");
            assertThat(mappingsOf(file))
                    .as("a snapshot that was read is mapped")
                    .isPositive();
        }
        for (int i = 0; i < 200; i++) {
            try (Snapshot snapshot = mapped(file)) {
                assertThat(snapshot.config().getString("model.name")).isEqualTo("gpt-4o");
                assertThat(snapshot.prompt("answer").render(Map.of("question", "q" + i)))
                        .isEqualTo("Answer: q" + i);
                assertThat(snapshot.entry("a.txt").get(0)).isEqualTo((byte) 'a');
            }
        }
        assertThat(mappingsOf(file))
                .as("mappings of " + file + " after 200 open/close cycles")
                .isZero();
    }

    @Test
    void aSnapshotRefusedAtOpenLeavesNoMapping() throws IOException {
        assumeTrue(MappedFile.unmapsOnClose(), "Java 17: a refused file stays mapped until a garbage collection");
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path file = withConfigAndAPrompt(dir.resolve("damaged.tar"));
        CorruptionInjector.flipByte(file, SnapshotFormat.BLOCK + 64);
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> mapped(file)).isInstanceOf(CorruptSnapshotException.class);
        }
        assertThat(mappingsOf(file)).isZero();
    }

    @Test
    void valuesAndBuffersOfAClosedSnapshotThrowIllegalStateOnJava22ButStringsStayValid() throws IOException {
        assumeTrue(MappedFile.unmapsOnClose(), "Java 17 keeps them readable: see the next test");
        // Mapped: a file this small is read into direct memory by default, which the garbage collector frees.
        Snapshot snapshot = mapped(withConfigAndAPrompt(dir.resolve("closed.tar")));
        closedValuesThrow(snapshot);
    }

    private static void closedValuesThrow(Snapshot snapshot) throws IOException {
        ByteBuffer entry = snapshot.entry("a.txt");
        Config config = snapshot.config();
        PromptTemplate prompt = snapshot.prompt("answer");
        String model = config.getString("model.name");
        snapshot.close();

        assertThatThrownBy(() -> entry.get(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> config.getString("model.name"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed.tar")
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> snapshot.entry("a.txt"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed.tar is closed");
        assertThat(model).isEqualTo("gpt-4o");
        assertThat(prompt.render(Map.of("question", "still"))).isEqualTo("Answer: still");
    }

    @Test
    void closingWhileANativeWriteHoldsAnEntryWaitsForTheWriteThenUnmaps() throws Exception {
        assumeTrue(MappedFile.unmapsOnClose(), "Java 17 never unmaps on close");
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        byte[] big = new byte[2 << 20];
        new Random(3).nextBytes(big);
        Path file = SnapshotTestFiles.write(dir.resolve("held.tar"), Map.of("big.bin", big));
        Snapshot snapshot = mapped(file);
        ByteBuffer entry = snapshot.entry("big.bin");
        Pipe pipe = Pipe.open();
        AtomicReference<Throwable> writeFailed = new AtomicReference<>();
        AtomicReference<Throwable> closeFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (var sink = pipe.sink()) {
                while (entry.hasRemaining()) {
                    sink.write(entry);
                }
            } catch (Throwable e) {
                writeFailed.set(e);
            }
        });
        writer.start();
        ByteBuffer drained = ByteBuffer.allocate(big.length);
        // Once a byte arrived, the writer is inside a native write of the mapped entry (2 MiB into a 64 KiB pipe),
        // which holds the mapping: the JVM refuses to close the arena until it returns.
        pipe.source().read(drained.limit(1));
        Thread closer = new Thread(() -> {
            try {
                snapshot.close();
            } catch (Throwable e) {
                closeFailed.set(e);
            }
        });
        closer.start();
        while (closer.isAlive() && closer.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait(); // until close() waits for the write
        }
        assertThat(mappingsOf(file)).as("still mapped while the write reads it").isPositive();
        drained.limit(big.length);
        while (drained.hasRemaining() && pipe.source().read(drained) >= 0) {
            // drain what the writer sends
        }
        writer.join();
        closer.join();

        assertThat(writeFailed.get()).as("the write").isNull();
        assertThat(closeFailed.get()).as("the close").isNull();
        assertThat(drained.array()).isEqualTo(big);
        assertThat(mappingsOf(file)).as("mappings once the write returned").isZero();
    }

    @Test
    void onJava17ABufferTakenBeforeCloseKeepsItsMappingAndStaysReadable() throws IOException {
        assumeTrue(!MappedFile.unmapsOnClose(), "Java 22+ unmaps on close: see the previous test");
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path file = withConfigAndAPrompt(dir.resolve("kept.tar"));
        Snapshot snapshot = mapped(file);
        ByteBuffer entry = snapshot.entry("a.txt");
        Config config = snapshot.config();
        snapshot.close();
        // The buffers are reachable, so no collection can have unmapped them: the mapping is still there.
        assertThat(mappingsOf(file)).isPositive();
        assertThat(StandardCharsets.UTF_8.decode(entry.duplicate()).toString()).isEqualTo("alpha");
        assertThat(config.getString("model.name")).isEqualTo("gpt-4o");
    }

    /** Opens {@code file} mapped whatever its size (small snapshots are read, not mapped, by default). */
    private static Snapshot mapped(Path file) throws IOException {
        return Snapshot.open(file, Snapshot.DEFAULT_REGION_SIZE, 0);
    }

    /** Lines of /proc/self/maps that map {@code file}. */
    static long mappingsOf(Path file) throws IOException {
        String path = file.toAbsolutePath().toString();
        try (var lines = Files.lines(MAPS)) {
            return lines.filter(line -> line.endsWith(" " + path)).count();
        }
    }

    /** A snapshot with a config key, a prompt ({@code answer}) and a plain entry. */
    static Path withConfigAndAPrompt(Path file) throws IOException {
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", Map.of("model", Map.of("name", "gpt-4o")));
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("a.txt", "alpha".getBytes(StandardCharsets.UTF_8));
        entries.put(SnapshotFormat.CONFIG_TABLE_ENTRY, table.toTableBytes());
        entries.put(SnapshotFormat.promptEntryName("answer"), compiledPrompt("Answer: {{question}}"));
        return SnapshotTestFiles.write(file, entries);
    }

    private static byte[] compiledPrompt(String text) throws IOException {
        try {
            return PromptCompiler.compile(new PromptSource("answer", text, PromptSyntax.PLAIN, null, Map.of()))
                    .toBytes();
        } catch (PromptSyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
