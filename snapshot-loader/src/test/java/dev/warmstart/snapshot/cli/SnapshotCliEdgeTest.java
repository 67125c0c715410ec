package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line at its edges: damaged data, things that are not snapshots, counts, and listing keys. */
class SnapshotCliEdgeTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private Path snapshot() throws Exception {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", "gpt-4o");
        model.put("temperature", 0.25);
        model.put("max_tokens", 512L);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", model);
        root.put("stop", List.of("a", "b"));
        root.put("tags", List.of());
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", root);
        Path file = dir.resolve("s.tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, table.toTableBytes());
            writer.addEntry(
                    SnapshotFormat.promptEntryName("greet"),
                    SnapshotFormat.KIND_PROMPT,
                    PromptCompiler.compile(new PromptSource(
                                    "greet", "Hello {{name}}, welcome aboard!", PromptSyntax.PLAIN, null, Map.of()))
                            .toBytes());
            writer.finish(Instant.parse("2026-05-06T07:08:09Z"), "test", "1", Map.of());
        }
        return file;
    }

    /** Flips the byte where {@code text} first occurs in entry {@code name}'s data. */
    private static void flipInEntry(Path file, String name, String text) throws Exception {
        long at;
        try (Snapshot snapshot = Snapshot.open(file)) {
            SnapshotEntry entry = snapshot.entries().stream()
                    .filter(e -> e.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            ByteBuffer data = snapshot.entry(name);
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            int index = new String(bytes, StandardCharsets.ISO_8859_1).indexOf(text);
            assertThat(index).as("'%s' in %s", text, name).isNotNegative();
            at = entry.offset() + index;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x01);
        }
    }

    @Test
    void getOfADamagedValueExitsOneInsteadOfPrintingIt() throws Exception {
        Path file = snapshot();
        flipInEntry(file, SnapshotFormat.CONFIG_TABLE_ENTRY, "gpt-4o");
        assertThat(cli.run("get", file.toString(), "model.name")).isEqualTo(1);
        assertThat(cli.stdout()).isEmpty();
        assertThat(cli.stderr()).contains("SHA-256").contains("config/table.bin");
    }

    @Test
    void renderOfADamagedPromptExitsOneInsteadOfPrintingIt() throws Exception {
        Path file = snapshot();
        flipInEntry(file, SnapshotFormat.promptEntryName("greet"), "welcome");
        assertThat(cli.run("render", file.toString(), "greet", "name=Ada")).isEqualTo(1);
        assertThat(cli.stdout()).isEmpty();
        assertThat(cli.stderr()).contains("SHA-256");
    }

    @Test
    void verifyOfADirectoryNamesItAndSaysWhatItIs() {
        assertThat(cli.run("verify", dir.toString())).isEqualTo(1);
        assertThat(cli.stderr())
                .contains(dir.toString())
                .contains("is a directory")
                .doesNotContain("No such device");
    }

    @Test
    void inspectAndVerifyCountEntriesTheSameWay() throws Exception {
        Path file = snapshot();
        String count = "3 entries (2 content, 1 under .warmstart/)";
        assertThat(cli.run("inspect", file.toString())).isZero();
        assertThat(cli.stdout()).contains("entries       " + count);
        assertThat(cli.run("verify", file.toString())).isZero();
        assertThat(cli.stdout()).contains(count + " verified");
    }

    @Test
    void keysListsEveryKeyWithTypeAndStoredValue() throws Exception {
        Path file = snapshot();
        assertThat(cli.run("keys", file.toString())).isZero();
        assertThat(cli.stdout().lines().map(l -> l.replaceAll(" +", " ")))
                .containsExactly(
                        "model.max_tokens integer 512",
                        "model.name string \"gpt-4o\"",
                        "model.temperature decimal 0.25",
                        "stop[0] string \"a\"",
                        "stop[1] string \"b\"",
                        "tags list []");
    }

    @Test
    void keysUnderAPrefixListsOnlyThatSubtree() throws Exception {
        Path file = snapshot();
        assertThat(cli.run("keys", file.toString(), "stop")).isZero();
        assertThat(cli.stdout().lines().map(l -> l.split(" +")[0])).containsExactly("stop[0]", "stop[1]");
        assertThat(cli.run("keys", file.toString(), "nothing.here")).isEqualTo(1);
        assertThat(cli.stderr()).contains("nothing.here");
    }

    @Test
    void keysJsonIsOneDocumentOfKeyTypeAndValue() throws Exception {
        Path file = snapshot();
        assertThat(cli.run("keys", "--json", file.toString(), "model")).isZero();
        List<?> rows = (List<?>) Json.parse(cli.stdout());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isEqualTo(Map.of("key", "model.max_tokens", "type", "integer", "value", 512L));
    }

    @Test
    void getOfAListOrMapPrintsItAsJson() throws Exception {
        Path file = snapshot();
        assertThat(cli.run("get", file.toString(), "stop")).isZero();
        assertThat(Json.parse(cli.stdout())).isEqualTo(List.of("a", "b"));
        assertThat(cli.run("get", file.toString(), "model")).isZero();
        assertThat(Json.compact(Json.parse(cli.stdout())))
                .isEqualTo("{\"max_tokens\":512,\"name\":\"gpt-4o\",\"temperature\":0.25}");
        assertThat(cli.run("get", file.toString(), "tags")).isZero();
        assertThat(cli.stdout().strip()).isEqualTo("[]");
    }

    @Test
    void aMissingKeyPointsAtTheKeysCommand() throws Exception {
        Path file = snapshot();
        assertThat(cli.run("get", file.toString(), "model.nope")).isEqualTo(1);
        assertThat(cli.stderr()).contains("keys FILE").doesNotContain("inspect --json");
    }

    @Test
    void aMissingVariableIsExplainedInCommandLineWords() throws Exception {
        Path file = snapshot();
        assertThat(cli.run("render", file.toString(), "greet")).isEqualTo(1);
        assertThat(cli.stderr()).contains("name=VALUE").doesNotContain("render()");
    }

    @Test
    void anErrorTheLoaderCannotExplainIsOneLineWithoutAStackTrace() throws Exception {
        Path file = snapshot();
        // The JVM reports a fault in a mapped read as InternalError; an output that raises one stands in for it.
        OutputStream faulting = new OutputStream() {
            @Override
            public void write(int b) {
                throw new InternalError("a fault occurred in an unsafe memory access operation");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SnapshotCli faultingCli =
                new SnapshotCli(new PrintStream(faulting), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(faultingCli.run(new String[] {"verify", file.toString()})).isEqualTo(1);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message.strip().lines()).hasSize(1);
        assertThat(message).startsWith("error: ").contains("InternalError").doesNotContain("\tat ");
    }
}
