package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileMapping} chooses the Java 22 mapping by name at run time. A loader jar built without a JDK 22+ has no
 * {@code ArenaFileMapping} (the build warns); on Java 22+ that jar must still open, map and read snapshots, the Java
 * 17 way, whose close leaves the mapping to the garbage collector. Run on a JDK 25 child JVM, with the loader jar
 * as the tests see it and with the same jar less that one class.
 */
class ArenaMappingFallbackTest {
    private static final String ARENA_CLASS = "dev/warmstart/snapshot/loader/ArenaFileMapping.class";

    /** Opens the snapshot, reads a key (which maps a file above the read limit), closes, counts mappings left. */
    private static final String PROBE = """
            import dev.warmstart.snapshot.loader.Snapshot;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public class Probe {
                public static void main(String[] args) throws Exception {
                    Path file = Path.of(args[0]).toRealPath();
                    Snapshot snapshot = Snapshot.open(file);
                    System.out.println("value " + snapshot.config().getString("model.name"));
                    snapshot.close();
                    int left = 0;
                    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                        if (line.endsWith(" " + file)) {
                            left++;
                        }
                    }
                    System.out.println("mappings left " + left);
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void onJava22AJarWithoutTheArenaMappingMapsTheJava17WayAndOneWithItUnmapsOnClose() throws Exception {
        Path java = RecipeService.jdk25OrSkip("the Java 22+ fallback").resolve("bin/java");
        Path loaderJar = RecipeService.loaderJar(dir.resolve("snapshot-loader.jar"));
        assumeTrue(
                hasEntry(loaderJar, ARENA_CLASS),
                "the loader was built without a JDK 25 (no ArenaFileMapping): nothing to fall back from");
        Path withoutArena = withoutEntry(loaderJar, ARENA_CLASS, dir.resolve("snapshot-loader-without-java22.jar"));

        Path snapshot = RecipeService.writeMappedSnapshot(dir.resolve("big-snapshot.tar"));
        Path classes = RecipeService.compile(
                Files.writeString(dir.resolve("Probe.java"), PROBE), loaderJar, dir.resolve("classes"));

        assertThat(probe(java, classes, loaderJar, snapshot)).contains("value gpt-4o", "mappings left 0");
        String fallback = probe(java, classes, withoutArena, snapshot);
        assertThat(fallback).contains("value gpt-4o");
        assertThat(fallback).doesNotContain("mappings left 0").containsPattern("mappings left [1-9]");
    }

    private String probe(Path java, Path classes, Path loaderJar, Path snapshot) throws Exception {
        Process process = new ProcessBuilder(
                        java.toString(), "-cp", classes + File.pathSeparator + loaderJar, "Probe", snapshot.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(process.exitValue()).as("exit status, output:\n" + output).isZero();
        return output;
    }

    private static boolean hasEntry(Path jar, String name) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry(name) != null;
        }
    }

    private static Path withoutEntry(Path jar, String left, Path target) throws IOException {
        try (JarFile in = new JarFile(jar.toFile());
                OutputStream file = Files.newOutputStream(target);
                JarOutputStream out = new JarOutputStream(file)) {
            for (Enumeration<JarEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().equals(left)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return target;
    }
}
