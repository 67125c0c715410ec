package dev.warmstart.snapshot.plugin.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.plugin.input.InputSettings;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotBuilderTest {
    private static final Instant FIXED = Instant.parse("2026-02-03T04:05:06Z");

    @TempDir
    Path project;

    final List<String> log = new ArrayList<>();

    @BeforeEach
    void inputs() throws IOException {
        write("config/model.yml", "name: gpt-4o\ntemperature: 0.2\nkey: ${env:OPENAI_API_KEY}\n");
        write("prompts/greet.prompt", "Hello {{name}}!");
    }

    private void write(String relative, String content) throws IOException {
        Path file = project.resolve("src/main/snapshot").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private BuildResult build(Path out, Instant timestamp) throws Exception {
        return new SnapshotBuilder(log::add)
                .build(new BuildSettings(
                        InputSettings.builder(project).build(),
                        out,
                        "app-1.0-snapshot.tar",
                        timestamp,
                        Map.of("project", "g:app:1.0"),
                        "0.1.0"));
    }

    @Test
    void writesAVerifiedSnapshotWithSidecarAndRegistry() throws Exception {
        BuildResult result = build(project.resolve("target/snapshot"), FIXED);
        assertThat(result.configKeys()).isEqualTo(3);
        assertThat(result.prompts()).isEqualTo(1);
        assertThat(result.summary())
                .startsWith("Snapshot 20260203T040506Z-")
                .contains("3 config keys, 1 prompts, 0 apps");
        byte[] tar = Files.readAllBytes(result.file());
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar));
        assertThat(Files.readString(SnapshotBuilder.sidecar(result.file())))
                .isEqualTo(sha + "  app-1.0-snapshot.tar\n");
        Map<?, ?> registry = (Map<?, ?>) Json.parse(Files.readString(project.resolve("target/snapshot/registry.json")));
        Map<?, ?> entry = (Map<?, ?>) ((List<?>) registry.get("snapshots")).get(0);
        assertThat(entry.get("id")).isEqualTo(result.id());
        assertThat(entry.get("sha256")).isEqualTo(sha);
        assertThat(entry.get("file")).isEqualTo("app-1.0-snapshot.tar");
        try (Snapshot snapshot = Snapshot.open(result.file())) {
            assertThat(snapshot.config().getString("model.name")).isEqualTo("gpt-4o");
            assertThat(snapshot.config().value("model.key")).isEqualTo("${env:OPENAI_API_KEY}");
            assertThat(snapshot.prompt("greet").render(Map.of("name", "Ada"))).isEqualTo("Hello Ada!");
            assertThat(snapshot.metadata().provenance()).containsEntry("project", "g:app:1.0");
        }
    }

    @Test
    void outputsAreReadableAsTheUmaskAllows() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path out = project.resolve("target/snapshot");
        BuildResult result = build(out, FIXED);
        // What the umask gives an ordinary new file here (rw-r--r-- under umask 022), not the 0600 of a temp file:
        // a service running as another user, or an image build copying the tar, must be able to read it.
        Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(Files.createFile(out.resolve("ordinary")));
        for (Path file : List.of(result.file(), SnapshotBuilder.sidecar(result.file()), out.resolve("registry.json"))) {
            assertThat(Files.getPosixFilePermissions(file)).as(file.toString()).isEqualTo(ordinary);
        }
    }

    @Test
    void fixedTimestampGivesByteIdenticalSnapshots() throws Exception {
        BuildResult a = build(project.resolve("out1"), FIXED);
        BuildResult b = build(project.resolve("out2"), FIXED);
        assertThat(Files.readAllBytes(a.file())).isEqualTo(Files.readAllBytes(b.file()));
    }

    @Test
    void withoutATimestampTheContentHashIsStillIdentical() throws Exception {
        BuildResult a = build(project.resolve("out1"), null);
        Thread.sleep(1100);
        BuildResult b = build(project.resolve("out2"), null);
        assertThat(a.contentHash()).isEqualTo(b.contentHash());
        assertThat(a.id()).isNotEqualTo(b.id());
    }

    @Test
    void unchangedInputsKeepTheExistingFile() throws Exception {
        Path out = project.resolve("target/snapshot");
        BuildResult first = build(out, null);
        Files.setLastModifiedTime(first.file(), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        BuildResult second = build(out, null);
        assertThat(second.upToDate()).isTrue();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(Files.getLastModifiedTime(first.file()).toInstant())
                .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(log).anyMatch(line -> line.contains("Inputs unchanged"));
    }

    @Test
    void theSnapshotIsByteIdenticalOnOneThreadOrMany() throws Exception {
        for (int i = 0; i < 150; i++) {
            write("prompts/many/p" + i + ".prompt", "Prompt " + i + " for {{user}}: " + "text ".repeat(i * 37 % 900));
        }
        write("prompts/object.yml", "prompt: 'Classify {{request}}'\nvariables: [request]\n");
        Path one = new SnapshotBuilder(log::add)
                .threads(1)
                .build(settings(project.resolve("one")))
                .file();
        Path many = new SnapshotBuilder(log::add)
                .threads(6)
                .build(settings(project.resolve("many")))
                .file();
        assertThat(Files.readAllBytes(many)).isEqualTo(Files.readAllBytes(one));
        assertThat(Files.readString(SnapshotBuilder.sidecar(many)))
                .isEqualTo(Files.readString(SnapshotBuilder.sidecar(one)));
    }

    private BuildSettings settings(Path out) {
        return new BuildSettings(
                InputSettings.builder(project).build(),
                out,
                "app-1.0-snapshot.tar",
                FIXED,
                Map.of("project", "g:app:1.0"),
                "0.1.0");
    }

    @Test
    void anEditThatChangesNothingInTheSnapshotKeepsIt() throws Exception {
        Path out = project.resolve("target/snapshot");
        BuildResult first = build(out, FIXED);
        write("config/model.yml", "# the model\nname: gpt-4o\ntemperature: 0.2\nkey: ${env:OPENAI_API_KEY}\n");
        BuildResult second = build(out, FIXED);
        assertThat(second.upToDate()).isTrue();
        assertThat(second.id()).isEqualTo(first.id());
    }

    @Test
    void changedInputsRebuild() throws Exception {
        Path out = project.resolve("target/snapshot");
        BuildResult first = build(out, FIXED);
        write("prompts/greet.prompt", "Hi {{name}}!");
        BuildResult second = build(out, FIXED);
        assertThat(second.upToDate()).isFalse();
        assertThat(second.contentHash()).isNotEqualTo(first.contentHash());
    }

    @Test
    void aTamperedOutputIsRebuiltNotTrusted() throws Exception {
        Path out = project.resolve("target/snapshot");
        BuildResult first = build(out, FIXED);
        byte[] bytes = Files.readAllBytes(first.file());
        bytes[bytes.length - 2000] ^= 1;
        Files.write(first.file(), bytes);
        BuildResult second = build(out, FIXED);
        assertThat(second.upToDate()).isFalse();
        try (Snapshot snapshot = Snapshot.open(second.file())) {
            snapshot.verify();
        }
    }

    @Test
    void aPromptWithOneHundredThousandVariablesBuildsAndRenders() throws Exception {
        // Issue #8 item 16: each variable was looked up in a list of the ones before it, so the build grew with
        // the square of the count (100k variables took half a minute). Declared ones exercise the check too.
        int count = 100_000;
        StringBuilder text = new StringBuilder("prompt: \"");
        StringBuilder declared = new StringBuilder("variables: [");
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < count; i++) {
            text.append("{{v").append(i).append("}} ");
            declared.append(i == 0 ? "" : ", ").append('v').append(i);
            values.put("v" + i, Integer.toString(i));
        }
        write(
                "prompts/huge.yml",
                text.append("\"\n").append(declared).append("]\n").toString());

        BuildResult result = build(project.resolve("target/snapshot"), FIXED);

        assertThat(result.prompts()).isEqualTo(2);
        try (Snapshot snapshot = Snapshot.open(result.file())) {
            assertThat(snapshot.prompt("huge").variables())
                    .hasSize(count)
                    .startsWith("v0", "v1")
                    .endsWith("v99999");
            String rendered = snapshot.prompt("huge").render(values);
            assertThat(rendered).startsWith("0 1 2 ").endsWith(" 99998 99999 ");
        }
    }
}
