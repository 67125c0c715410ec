package dev.warmstart.snapshot.plugin.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotSignature;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.plugin.input.InputSettings;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedBuildTest {
    private static final Instant FIXED = Instant.parse("2026-02-03T04:05:06Z");

    @TempDir
    Path project;

    final List<String> log = new ArrayList<>();

    private static String pem(String name) throws IOException {
        try (InputStream in = SignedBuildTest.class.getResourceAsStream("/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @BeforeEach
    void inputs() throws IOException {
        Path prompt = project.resolve("src/main/snapshot/prompts/greet.prompt");
        Files.createDirectories(prompt.getParent());
        Files.writeString(prompt, "Hello {{name}}!");
    }

    private BuildResult build(Path out, SnapshotSigner signer) throws Exception {
        return new SnapshotBuilder(log::add)
                .signWith(signer)
                .build(new BuildSettings(
                        InputSettings.builder(project).build(),
                        out,
                        "app-1.0-snapshot.tar",
                        FIXED,
                        Map.of("project", "g:app:1.0"),
                        "0.1.0"));
    }

    @Test
    void aSignedBuildIsTrustedByThePublicKeyAndReproducible() throws Exception {
        SnapshotSigner signer = SnapshotSigner.fromPem(pem("ed25519-a.pem"), "test key");
        BuildResult one = build(project.resolve("one"), signer);
        BuildResult two = build(project.resolve("two"), signer);
        assertThat(Files.readAllBytes(one.file())).isEqualTo(Files.readAllBytes(two.file()));
        TrustPolicy trust = TrustPolicy.of(TrustPolicy.publicKeys(pem("ed25519-a.pub.pem"), "test key"));
        try (Snapshot s = Snapshot.open(one.file(), trust)) {
            assertThat(SnapshotSignature.of(s).orElseThrow().keyId()).isEqualTo(signer.keyId());
        }
        assertThat(log).anyMatch(l -> l.contains("with key " + signer.keyId()));
    }

    @Test
    void theKeyNeverAppearsInTheLogOrTheTar() throws Exception {
        String key = pem("ed25519-a.pem");
        String body =
                key.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        BuildResult result = build(project.resolve("out"), SnapshotSigner.fromPem(key, "test key"));
        assertThat(String.join("\n", log)).doesNotContain(body);
        assertThat(new String(Files.readAllBytes(result.file()), StandardCharsets.ISO_8859_1))
                .doesNotContain(body)
                .doesNotContain("PRIVATE KEY");
    }

    @Test
    void addingAKeyRebuildsASnapshotThatWasUpToDateUnsigned() throws Exception {
        Path out = project.resolve("out");
        build(out, null);
        BuildResult signed = build(out, SnapshotSigner.fromPem(pem("ed25519-a.pem"), "test key"));
        assertThat(signed.upToDate()).isFalse();
        try (Snapshot s = Snapshot.open(signed.file())) {
            assertThat(SnapshotSignature.of(s)).isPresent();
        }
    }
}
