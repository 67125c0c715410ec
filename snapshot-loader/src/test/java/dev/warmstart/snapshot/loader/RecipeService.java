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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * What the class-data archive recipes of {@code docs/cold-start.md} are run on, shared by
 * {@code ClassDataArchiveRecipeTest} ({@code java -jar}), {@code ContainerImageRecipeTest} (the container image) and
 * {@code ArenaMappingFallbackTest}: the JDK 25 to run on, the service's snapshot, the loader as a jar, and the service
 * compiled and packed.
 */
public final class RecipeService {
    /** Where the JDK 25 is looked for when neither {@code -Dwarmstart.jdk25} nor {@code JAVA25_HOME} names one. */
    private static final String DEFAULT_JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

    private RecipeService() {}

    /**
     * @return the JDK 25 the Java 25 halves of these tests run on: {@code -Dwarmstart.jdk25}, else {@code
     *     JAVA25_HOME}, else where CI installs it
     */
    private static Path jdk25() {
        return Path.of(
                System.getProperty("warmstart.jdk25", System.getenv().getOrDefault("JAVA25_HOME", DEFAULT_JDK25)));
    }

    /**
     * @return {@link #jdk25()}, the test skipped (saying what it leaves untested and how to point it at a JDK 25)
     *     when it has no {@code bin/java}
     */
    public static Path jdk25OrSkip(String untested) {
        Path jdk25 = jdk25();
        assumeTrue(
                Files.isExecutable(jdk25.resolve("bin/java")),
                "no JDK 25 at " + jdk25 + ": " + untested + " is not tested here; set -Dwarmstart.jdk25=DIR or"
                        + " JAVA25_HOME to test it");
        return jdk25;
    }

    /** The service's snapshot, small enough to be read into memory at open. */
    public static Path writeSnapshot(Path file) throws Exception {
        return writeSnapshot(file, new byte[0]);
    }

    /** The service's snapshot with random filler past {@link Snapshot#READ_LIMIT}, so that the loader maps it. */
    public static Path writeMappedSnapshot(Path file) throws Exception {
        byte[] filler = new byte[(int) Snapshot.READ_LIMIT + 1];
        new Random(1).nextBytes(filler);
        return writeSnapshot(file, filler);
    }

    /**
     * Compiles {@code source} for Java 17 against the loader jar into {@code classes}, failing the test when javac
     * does. The javac tool rather than javax.tools: the tests run patched into the loader's module, which does not
     * read java.compiler, while ToolProvider is in java.base.
     */
    public static Path compile(Path source, Path loaderJar, Path classes) throws IOException {
        Files.createDirectories(classes);
        int compiled = ToolProvider.findFirst("javac")
                .orElseThrow()
                .run(
                        System.out,
                        System.err,
                        "--release",
                        "17",
                        "-cp",
                        loaderJar.toString(),
                        "-d",
                        classes.toString(),
                        source.toString());
        assertThat(compiled).as("javac exit status for " + source).isZero();
        return classes;
    }

    /**
     * The service as the recipes start it: {@code appSource} (a class {@code App}) compiled against the loader jar
     * and packed into {@code appJar}, whose manifest names {@code App} and puts {@code lib/snapshot-loader.jar} on
     * the class path; source and classes go to {@code work}.
     */
    public static Path serviceJar(String appSource, Path loaderJar, Path appJar, Path work) throws IOException {
        Files.createDirectories(work);
        Path classes =
                compile(Files.writeString(work.resolve("App.java"), appSource), loaderJar, work.resolve("classes"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "App");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/snapshot-loader.jar");
        return jar(classes, appJar, manifest);
    }

    /**
     * The service's snapshot: {@code model.name} = {@code gpt-4o} and a prompt {@code greet} = "Hello {{name}}",
     * with an entry {@code filler.bin} of {@code filler} unless it is empty (to make the snapshot large).
     */
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
    public static Path loaderJar(Path target) throws IOException, URISyntaxException {
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

    public static Path jar(Path classes, Path target, Manifest manifest) throws IOException {
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
