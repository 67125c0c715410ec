package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        snapshot = RecipeService.writeSnapshot(dir.resolve("app-snapshot.tar"));
        Path loaderJar = RecipeService.loaderJar(
                Files.createDirectories(dir.resolve("lib")).resolve("snapshot-loader.jar"));
        RecipeService.serviceJar(APP, loaderJar, dir.resolve("app.jar"), dir.resolve("app-build"));
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
        Path java = RecipeService.jdk25OrSkip("the AOT cache recipe").resolve("bin/java");

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
        Path java = RecipeService.jdk25OrSkip("the AOT cache recipe").resolve("bin/java");
        Path big = RecipeService.writeMappedSnapshot(dir.resolve("big-snapshot.tar"));

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
        String log = classLoadingLogOfAStart();
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

    /**
     * What an archive leaves of a start-up on Java 17 is mostly the work of the classes the path runs, so the path
     * loads none it does not run: a small snapshot is read without {@code FileMapping}, and a lookup of the root
     * config whose value has no placeholder needs neither {@code Placeholders} nor {@code ConfigPath}
     * (docs/performance.md section 5).
     */
    @Test
    void theStartUpPathLoadsNoLoaderClassItDoesNotRun() throws Exception {
        String log = classLoadingLogOfAStart();
        assertThat(log).contains("dev.warmstart.snapshot.loader.MappedFile source:");
        for (String type : List.of("loader.FileMapping", "loader.Placeholders", "format.ConfigPath")) {
            assertThat(log).as("class loading log").doesNotContain("dev.warmstart.snapshot." + type + " source:");
        }
    }

    /** Starts the service without an archive, as recipe 1 does, and returns the JVM's class-loading log. */
    private String classLoadingLogOfAStart() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result result =
                run(java, "-Xshare:auto", "-Xlog:class+load:file=classes.log", "-jar", "app.jar", snapshot.toString());
        assertThat(result.output).contains(EXPECTED);
        return Files.readString(dir.resolve("classes.log"));
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
}
