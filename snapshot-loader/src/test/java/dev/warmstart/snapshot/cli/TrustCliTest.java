package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustCliTest {
    private static final String KEY_A = "1934825139511cf2dc71b62fc9009305b31389d8b22ea29af740848117f68a6f";

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();
    private Path pubA;
    private Path pubB;
    private Path keyA;

    private static String pem(String name) throws IOException {
        try (InputStream in = TrustCliTest.class.getResourceAsStream("/dev/warmstart/snapshot/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @BeforeEach
    void keys() throws IOException {
        pubA = Files.writeString(dir.resolve("a.pub.pem"), pem("ed25519-a.pub.pem"));
        pubB = Files.writeString(dir.resolve("b.pub.pem"), pem("ed25519-b.pub.pem"));
        keyA = Files.writeString(dir.resolve("a.pem"), pem("ed25519-a.pem"));
    }

    private Path snapshot(String name, String key) throws IOException {
        Path file = dir.resolve(name);
        SnapshotSigner signer = key == null ? null : SnapshotSigner.fromPem(pem(key + ".pem"), key);
        try (SnapshotWriter writer = SnapshotWriter.create(file).signWith(signer)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, "v1".getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-05-06T07:08:09Z"), "test", "1", Map.of("gitCommit", "abc"));
        }
        return file;
    }

    @Test
    void verifyWithTrustAcceptsASnapshotSignedByATrustedKey() throws IOException {
        Path file = snapshot("s.tar", "ed25519-a");
        assertThat(cli.run("verify", file.toString(), "--trust", pubA.toString()))
                .isZero();
        assertThat(cli.stdout()).contains("signed by trusted key " + KEY_A);
    }

    @Test
    void verifyWithTrustFailsWithExitOneOnAnUnsignedSnapshot() throws IOException {
        Path file = snapshot("s.tar", null);
        assertThat(cli.run("verify", file.toString(), "--trust", pubA.toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains(file.toString()).contains("is not signed");
    }

    @Test
    void verifyWithTrustFailsWithExitOneOnAnUnknownKeyNamingIt() throws IOException {
        Path file = snapshot("s.tar", "ed25519-b");
        assertThat(cli.run("verify", file.toString(), "--trust", pubA.toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains("does not trust");
    }

    @Test
    void verifyWithTwoTrustOptionsAcceptsEitherKey() throws IOException {
        Path file = snapshot("s.tar", "ed25519-b");
        assertThat(cli.run("verify", "--trust", pubA.toString(), file.toString(), "--trust=" + pubB))
                .isZero();
    }

    @Test
    void verifyWithTrustFailsWithExitOneOnABadSignature() throws IOException {
        Path file = snapshot("s.tar", "ed25519-a");
        byte[] bytes = Files.readAllBytes(file);
        // Flip one bit of the signature itself (the entry right after the metadata).
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int signature = text.indexOf("WSSIGN01") + 60;
        bytes[signature] ^= 1;
        Files.write(file, bytes);
        assertThat(cli.run("verify", file.toString(), "--trust", pubA.toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains(file.toString());
    }

    @Test
    void inspectSaysUnsignedOrSignedByKeyId() throws IOException {
        assertThat(cli.run("inspect", snapshot("u.tar", null).toString())).isZero();
        assertThat(cli.stdout()).contains("signature     unsigned");
        assertThat(cli.run("inspect", snapshot("s.tar", "ed25519-a").toString()))
                .isZero();
        assertThat(cli.stdout()).contains("signed by key " + KEY_A);
        assertThat(cli.run("inspect", "--json", dir.resolve("s.tar").toString()))
                .isZero();
        assertThat(((Map<?, ?>) Json.parse(cli.stdout())).get("signedBy")).isEqualTo(KEY_A);
    }

    @Test
    void signGivesExactlyTheBytesASigningBuildWrites() throws IOException {
        Path unsigned = snapshot("u.tar", null);
        Path signedByBuild = snapshot("s.tar", "ed25519-a");
        Path out = dir.resolve("signed-later.tar");
        assertThat(cli.run("sign", unsigned.toString(), "--key", keyA.toString(), "--out", out.toString()))
                .isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(signedByBuild));
        assertThat(cli.run("sign", unsigned.toString(), "--key", keyA.toString()))
                .isZero();
        assertThat(Files.readAllBytes(unsigned)).isEqualTo(Files.readAllBytes(signedByBuild));
    }

    @Test
    void signWithAnRsaKeySaysWhatKeyToMake() throws IOException {
        Path rsa = Files.writeString(dir.resolve("rsa.pem"), pem("rsa.pem"));
        assertThat(cli.run("sign", snapshot("u.tar", null).toString(), "--key", rsa.toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains("openssl genpkey -algorithm ed25519").doesNotContain("BEGIN");
    }

    @Test
    void storePublishWithTrustRefusesAnUnsignedSnapshot() throws IOException {
        Path store = dir.resolve("store");
        Path unsigned = snapshot("u.tar", null);
        assertThat(cli.run("store", "publish", store.toString(), unsigned.toString(), "--trust", pubA.toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains("is not signed");
        assertThat(cli.run(
                        "store",
                        "publish",
                        store.toString(),
                        snapshot("s.tar", "ed25519-a").toString(),
                        "--trust",
                        pubA.toString()))
                .isZero();
    }

    @Test
    void trustWithAPrivateKeyFileIsRefusedSayingToGiveThePublicKey() throws IOException {
        Path file = snapshot("s.tar", "ed25519-a");
        assertThat(cli.run("verify", file.toString(), "--trust", keyA.toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains("-pubout").doesNotContain("BEGIN");
    }
}
