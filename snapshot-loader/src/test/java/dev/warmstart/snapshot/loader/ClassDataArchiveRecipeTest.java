package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive recipe of {@code docs/cold-start.md}, run as written on a small service: a jar whose
 * manifest puts the loader jar on its class path, started with {@code java -jar}. One training run writes the
 * archive; the next start must take the loader's classes from it (the JVM is told to fail rather than start
 * without it) and still print what the snapshot says. And without an archive, the start-up path loads nothing it
 * does not use: no exception class, no {@code CRC32C} (docs/cold-start.md).
 */
class ClassDataArchiveRecipeTest {
    /** Where the JDK 25 is looked for when neither {@code -Dwarmstart.jdk25} nor {@code JAVA25_HOME} names one. */
    private static final String DEFAULT_JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

    private static final String EXPECTED = "gpt-4o Hello Ada";

    private static final String APP = """
            import dev.warmstart.snapshot.loader.Snapshot;
            import java.nio.file.Path;
            import java.util.Map;

            public class App {
                public static void main(String[] args) throws Exception {
                    try (Snapshot snapshot = Snapshot.open(Path.of(args[0]))) {
                        String model = snapshot.config().getString("model.name");
                        String text = snapshot.prompt("greet").render(Map.of("name", "Ada"));
                        System.out.println(model + " " + text);
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    private Path snapshot;

    @BeforeEach
    void buildTheServiceAndItsSnapshot() throws Exception {
        snapshot = writeSnapshot(dir.resolve("app-snapshot.tar"));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path loaderJar = loaderJar(lib.resolve("snapshot-loader.jar"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path source = Files.writeString(dir.resolve("App.java"), APP);
        // The javac tool rather than javax.tools: the tests run patched into the loader's module, which does not
        // read java.compiler, while ToolProvider is in java.base.
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        int compiled = javac.run(
                System.out,
                System.err,
                "--release",
                "17",
                "-cp",
                loaderJar.toString(),
                "-d",
                classes.toString(),
                source.toString());
        assertThat(compiled).as("javac exit status").isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "App");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/snapshot-loader.jar");
        jar(classes, dir.resolve("app.jar"), manifest);
    }

    @Test
    void appCdsArchiveOfATrainingRunServesTheLoaderClassesToTheNextStart() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Result training = run(java, "-XX:ArchiveClassesAtExit=app.jsa", "-jar", "app.jar", snapshot.toString());
        assertThat(training.output).as("training run").contains(EXPECTED);
        assertThat(dir.resolve("app.jsa")).exists();

        // -Xshare:on: the JVM refuses to start when it cannot use the archive, instead of quietly doing without.
        Result served = run(
                java,
                "-Xshare:on",
                "-XX:SharedArchiveFile=app.jsa",
                "-Xlog:class+load:file=classes.log",
                "-jar",
                "app.jar",
                snapshot.toString());
        assertThat(served.output).contains(EXPECTED);
        assertLoaderClassesCameFromTheArchive();
    }

    @Test
    void aotCacheOfATrainingRunServesTheLoaderClassesToTheNextStartOnJava25() throws Exception {
        Path jdk25 = Path.of(
                System.getProperty("warmstart.jdk25", System.getenv().getOrDefault("JAVA25_HOME", DEFAULT_JDK25)));
        Path java = jdk25.resolve("bin/java");
        assumeTrue(
                Files.isExecutable(java),
                "no JDK 25 at " + jdk25 + ": the AOT cache recipe is not tested here; set -Dwarmstart.jdk25=DIR or"
                        + " JAVA25_HOME to test it");

        Result training = run(java.toString(), "-XX:AOTCacheOutput=app.aot", "-jar", "app.jar", snapshot.toString());
        assertThat(training.output).as("training run").contains(EXPECTED);
        assertThat(dir.resolve("app.aot")).exists();

        // -XX:AOTMode=on: the JVM refuses to start when it cannot use the cache.
        Result served = run(
                java.toString(),
                "-XX:AOTMode=on",
                "-XX:AOTCache=app.aot",
                "-Xlog:class+load:file=classes.log",
                "-jar",
                "app.jar",
                snapshot.toString());
        assertThat(served.output).contains(EXPECTED);
        assertLoaderClassesCameFromTheArchive();
    }

    /**
     * A snapshot above the read limit is mapped, on Java 22+ by {@code ArenaFileMapping}, a class of its own in the
     * plain loader jar that {@code FileMapping} chooses at run time: the AOT cache must serve it like the others
     * (no class defined from bytes at run time, which no archive could hold).
     */
    @Test
    void aotCacheServesTheJava22MappingToAServiceWhoseSnapshotIsMapped() throws Exception {
        Path jdk25 = Path.of(
                System.getProperty("warmstart.jdk25", System.getenv().getOrDefault("JAVA25_HOME", DEFAULT_JDK25)));
        Path java = jdk25.resolve("bin/java");
        assumeTrue(Files.isExecutable(java), "no JDK 25 at " + jdk25 + ": the AOT cache recipe is not tested here");
        byte[] filler = new byte[(int) Snapshot.READ_LIMIT + 1];
        new Random(1).nextBytes(filler);
        Path big = writeSnapshot(dir.resolve("big-snapshot.tar"), filler);

        Result training = run(java.toString(), "-XX:AOTCacheOutput=big.aot", "-jar", "app.jar", big.toString());
        assertThat(training.output).as("training run").contains(EXPECTED);
        Result served = run(
                java.toString(),
                "-XX:AOTMode=on",
                "-XX:AOTCache=big.aot",
                "-Xlog:class+load:file=classes.log",
                "-jar",
                "app.jar",
                big.toString());
        assertThat(served.output).contains(EXPECTED);
        assertThat(Files.readString(dir.resolve("classes.log")))
                .contains("dev.warmstart.snapshot.loader.ArenaFileMapping source: shared objects file");
    }

    /**
     * Each class a cold JVM loads from the loader's jar costs about 0.2 ms, and {@code CRC32C}'s initialisation
     * about 1 ms: open, lookup and render of a sound snapshot load neither the exception classes (the verifier
     * would load those the path's classes throw directly, see Failures) nor CRC32C (format 1.1 checks its header
     * with CRC-32).
     */
    @Test
    void withoutAnArchiveTheStartUpPathLoadsNoExceptionClassAndNoCrc32c() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result result =
                run(java, "-Xshare:auto", "-Xlog:class+load:file=classes.log", "-jar", "app.jar", snapshot.toString());
        assertThat(result.output).contains(EXPECTED);
        String log = Files.readString(dir.resolve("classes.log"));
        assertThat(log).contains("dev.warmstart.snapshot.loader.PromptTemplate source:");
        assertThat(log).doesNotContain("java.util.zip.CRC32C source:");
        for (String type : List.of(
                "SnapshotException",
                "CorruptSnapshotException",
                "MissingEntryException",
                "UnsupportedFormatVersionException",
                "ConfigException",
                "MissingVariableException",
                "Failures")) {
            assertThat(log)
                    .as("class loading log")
                    .doesNotContain("dev.warmstart.snapshot.loader." + type + " source:");
        }
    }

    private void assertLoaderClassesCameFromTheArchive() throws IOException {
        String log = Files.readString(dir.resolve("classes.log"));
        for (String type : List.of("Snapshot", "MappedFile", "SnapshotIndex", "Config", "PromptTemplate")) {
            assertThat(log)
                    .as("class loading log")
                    .contains("dev.warmstart.snapshot.loader." + type + " source: shared objects file");
        }
        assertThat(log).contains("App source: shared objects file");
    }

    private record Result(int exit, String output) {}

    private Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + "\n" + output)
                .isZero();
        return new Result(process.exitValue(), output);
    }

    private static Path writeSnapshot(Path file) throws Exception {
        return writeSnapshot(file, new byte[0]);
    }

    /** The service's snapshot, with an entry {@code filler.bin} of {@code filler} (to make it large). */
    private static Path writeSnapshot(Path file, byte[] filler) throws Exception {
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", Map.of("model", Map.of("name", "gpt-4o")));
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, table.toTableBytes());
            writer.addEntry(
                    SnapshotFormat.promptEntryName("greet"),
                    SnapshotFormat.KIND_PROMPT,
                    PromptCompiler.compile(
                                    new PromptSource("greet", "Hello {{name}}", PromptSyntax.PLAIN, null, Map.of()))
                            .toBytes());
            if (filler.length > 0) {
                writer.addEntry("filler.bin", SnapshotFormat.KIND_FILE, filler);
            }
            writer.finish(Instant.parse("2026-03-04T05:06:07Z"), "test", "1", Map.of());
        }
        return file;
    }

    /** The loader as a jar (class-data archives take classes from jars only), from wherever the tests load it. */
    private static Path loaderJar(Path target) throws IOException, URISyntaxException {
        Path location = Path.of(Snapshot.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        if (Files.isRegularFile(location)) {
            return Files.copy(location, target);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        return jar(location, target, manifest);
    }

    private static Path jar(Path classes, Path target, Manifest manifest) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(classes)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        Path[] sorted = files.toArray(new Path[0]);
        Arrays.sort(sorted);
        try (OutputStream out = Files.newOutputStream(target);
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (Path file : sorted) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(name));
                jar.write(Files.readAllBytes(file));
                jar.closeEntry();
            }
        }
        return target;
    }
}
