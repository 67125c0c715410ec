package dev.warmstart.snapshot.loader;

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
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * What the class-data archive recipes of {@code docs/cold-start.md} are run on, shared by
 * {@code ClassDataArchiveRecipeTest} ({@code java -jar}) and {@code ContainerImageRecipeTest} (the container image):
 * the service's snapshot, the loader as a jar, and jars of compiled classes.
 */
public final class RecipeService {
    private RecipeService() {}

    /**
     * The service's snapshot: {@code model.name} = {@code gpt-4o} and a prompt {@code greet} = "Hello {{name}}",
     * with an entry {@code filler.bin} of {@code filler} unless it is empty (to make the snapshot large).
     */
    public static Path writeSnapshot(Path file, byte[] filler) throws Exception {
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
