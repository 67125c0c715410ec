package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: output and exit codes on snapshots written by the writer. */
class SnapshotCliTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private String stdout() {
        return cli.stdout();
    }

    private String stderr() {
        return cli.stderr();
    }

    private Path snapshot(String fileName, Map<String, Object> config, String promptText) throws Exception {
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", config);
        CompiledPrompt prompt = PromptCompiler.compile(
                new PromptSource("greet", promptText, PromptSyntax.PLAIN, null, Map.of("version", "2")));
        Path file = dir.resolve(fileName);
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, table.toTableBytes());
            writer.addEntry(SnapshotFormat.CONFIG_JSON_ENTRY, SnapshotFormat.KIND_CONFIG_JSON, table.toCanonicalJson());
            writer.addEntry(SnapshotFormat.promptEntryName("greet"), SnapshotFormat.KIND_PROMPT, prompt.toBytes());
            writer.finish(Instant.parse("2026-05-06T07:08:09Z"), "test", "1", Map.of("gitCommit", "abc"));
        }
        return file;
    }

    private Map<String, Object> config(double temperature) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", "gpt-4o");
        model.put("temperature", temperature);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", model);
        root.put("stop", List.of("a", "b"));
        return root;
    }

    @Test
    void inspectPrintsMetadataEntriesAndPrompts() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hello {{name}}!");
        assertThat(run("inspect", file.toString())).isZero();
        assertThat(stdout())
                .contains(
                        "Snapshot 20260506T070809Z-",
                        "config/table.bin",
                        "prompts/greet.prompt",
                        "greet",
                        "variables: name",
                        "gitCommit");
    }

    @Test
    void inspectJsonIsOneDocumentWithMetadataEntriesAndPrompts() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hello {{name}} from {{place}}!");
        assertThat(run("inspect", "--json", file.toString())).isZero();
        Map<?, ?> doc = (Map<?, ?>) Json.parse(stdout());
        assertThat(((Map<?, ?>) doc.get("metadata")).get("id").toString()).startsWith("20260506T070809Z-");
        assertThat((List<?>) doc.get("entries")).hasSize(4);
        List<?> prompts = (List<?>) doc.get("prompts");
        assertThat(prompts).hasSize(1);
        Map<?, ?> greet = (Map<?, ?>) prompts.get(0);
        assertThat(greet.get("name")).isEqualTo("greet");
        assertThat(greet.get("variables")).isEqualTo(List.of("name", "place"));
    }

    @Test
    void verifyExitsZeroOnAGoodSnapshot() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hi");
        assertThat(run("verify", file.toString())).isZero();
        assertThat(stdout()).startsWith("OK 20260506T070809Z-");
    }

    @Test
    void verifyExitsOneOnDamagedDataWithOneLineOnStderr() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hi");
        long offset;
        try (Snapshot snapshot = Snapshot.open(file)) {
            offset = snapshot.entries().stream()
                    .filter(e -> e.name().equals("prompts/greet.prompt"))
                    .findFirst()
                    .orElseThrow()
                    .offset();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset + 1);
            int b = raf.read();
            raf.seek(offset + 1);
            raf.write(b ^ 0xff);
        }
        assertThat(run("verify", file.toString())).isEqualTo(1);
        assertThat(stderr().strip().lines()).hasSize(1);
        assertThat(stderr()).startsWith("error: ").doesNotContain("\tat ");
    }

    @Test
    void truncatedSnapshotExitsOne() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hi");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 512);
        }
        assertThat(run("inspect", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("truncated");
    }

    @Test
    void debugAddsTheStackTrace() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hi");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 512);
        }
        assertThat(run("--debug", "inspect", file.toString())).isEqualTo(1);
        assertThat(stderr()).contains("\tat ");
    }

    @Test
    void getPrintsAConfigValue() throws Exception {
        Path file = snapshot("s.tar", config(0.25), "Hi");
        assertThat(run("get", file.toString(), "model.temperature")).isZero();
        assertThat(stdout().strip()).isEqualTo("0.25");
        assertThat(run("get", file.toString(), "stop[1]")).isZero();
        assertThat(stdout().strip()).isEqualTo("b");
    }

    @Test
    void getOfAMissingKeyExitsOneNamingIt() throws Exception {
        Path file = snapshot("s.tar", config(0.25), "Hi");
        assertThat(run("get", file.toString(), "model.nope")).isEqualTo(1);
        assertThat(stderr()).contains("model.nope");
    }

    @Test
    void renderSubstitutesNameValuePairs() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hello {{name}}!");
        assertThat(run("render", file.toString(), "greet", "name=Ada")).isZero();
        assertThat(stdout()).isEqualTo("Hello Ada!");
    }

    @Test
    void renderWithAMissingVariableExitsOneNamingIt() throws Exception {
        Path file = snapshot("s.tar", config(0.2), "Hello {{name}}!");
        assertThat(run("render", file.toString(), "greet")).isEqualTo(1);
        assertThat(stderr()).contains("name");
    }

    @Test
    void diffListsChangedConfigKeysAndEntries() throws Exception {
        Path a = snapshot("a.tar", config(0.2), "Hello {{name}}!");
        Path b = snapshot("b.tar", config(0.7), "Hello {{name}}!");
        assertThat(run("diff", a.toString(), b.toString())).isZero();
        assertThat(stdout())
                .contains("~ config model.temperature: 0.2 -> 0.7", "~ entry config/table.bin")
                .doesNotContain("prompts/greet");
    }

    @Test
    void diffOfIdenticalContentSaysNoDifferences() throws Exception {
        Path a = snapshot("a.tar", config(0.2), "Hello");
        Path b = snapshot("b.tar", config(0.2), "Hello");
        assertThat(run("diff", a.toString(), b.toString())).isZero();
        assertThat(stdout()).startsWith("no differences");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(stderr()).contains("unknown command");
        assertThat(run("get", "only-one-arg")).isEqualTo(2);
        assertThat(run("render", "f.tar", "p", "novalue")).isEqualTo(2);
    }

    @Test
    void missingFileExitsOne() {
        assertThat(run("verify", dir.resolve("absent.tar").toString())).isEqualTo(1);
        assertThat(stderr()).contains("absent.tar");
    }

    @Test
    void helpExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("inspect", "verify", "render", "diff");
    }
}
