package dev.warmstart.snapshot.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSignerTest {
    private static final String MAKE_ONE = "openssl genpkey -algorithm ed25519";

    @TempDir
    Path dir;

    private static String pem(String name) throws IOException {
        try (InputStream in = SnapshotSignerTest.class.getResourceAsStream("/dev/warmstart/snapshot/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private Path file(String name) throws IOException {
        return Files.writeString(dir.resolve(name), pem(name));
    }

    @Test
    void keyFromAFileAndTheSameKeyFromTheEnvironmentSignAlike() throws IOException {
        SnapshotSigner fromFile = SnapshotSigner.fromFileOrEnvironment(file("ed25519-a.pem"), name -> null)
                .orElseThrow();
        String envPem = pem("ed25519-a.pem");
        SnapshotSigner fromEnv = SnapshotSigner.fromFileOrEnvironment(
                        null, Map.of(SnapshotSigner.ENV_VARIABLE, envPem)::get)
                .orElseThrow();
        byte[] hash = new byte[32];
        byte[] metadata = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(fromEnv.keyId()).isEqualTo(fromFile.keyId());
        assertThat(fromEnv.signatureEntry(hash, metadata)).isEqualTo(fromFile.signatureEntry(hash, metadata));
    }

    @Test
    void aConfiguredFileWinsOverTheEnvironment() throws IOException {
        SnapshotSigner signer = SnapshotSigner.fromFileOrEnvironment(
                        file("ed25519-a.pem"), Map.of(SnapshotSigner.ENV_VARIABLE, pem("ed25519-b.pem"))::get)
                .orElseThrow();
        assertThat(signer.keyId()).startsWith("1934825139511cf2");
    }

    @Test
    void noFileAndNoEnvironmentVariableMeansUnsigned() throws IOException {
        assertThat(SnapshotSigner.fromFileOrEnvironment(null, name -> null)).isEmpty();
        assertThat(SnapshotSigner.fromFileOrEnvironment(null, Map.of(SnapshotSigner.ENV_VARIABLE, " ")::get))
                .isEmpty();
    }

    @Test
    void anEncryptedKeyIsRejectedSayingWhatKeyToMake() throws IOException {
        Path key = file("ed25519-encrypted.pem");
        assertThatThrownBy(() -> SnapshotSigner.fromPemFile(key))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining(key.toString())
                .hasMessageContaining("encrypted")
                .hasMessageContaining(MAKE_ONE);
    }

    @Test
    void anRsaKeyIsRejectedNamingItsTypeAndWhatKeyToMake() throws IOException {
        Path key = file("rsa.pem");
        assertThatThrownBy(() -> SnapshotSigner.fromPemFile(key))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining("type RSA, not Ed25519")
                .hasMessageContaining(MAKE_ONE);
    }

    @Test
    void anEcKeyFromTheEnvironmentIsRejectedNamingTheVariable() throws IOException {
        String ec = pem("ec.pem");
        assertThatThrownBy(
                        () -> SnapshotSigner.fromFileOrEnvironment(null, Map.of(SnapshotSigner.ENV_VARIABLE, ec)::get))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining("environment variable WARMSTART_SIGNING_KEY")
                .hasMessageContaining("type EC, not Ed25519")
                .hasMessageContaining(MAKE_ONE);
    }

    @Test
    void aPublicKeyIsRejectedAsNotAPrivateKey() throws IOException {
        Path key = file("ed25519-a.pub.pem");
        assertThatThrownBy(() -> SnapshotSigner.fromPemFile(key))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining("not a private key");
    }

    @Test
    void textWithoutPemAndAMissingFileAreRejectedSayingWhatKeyToMake() {
        assertThatThrownBy(() -> SnapshotSigner.fromPem("not a key", "environment variable WARMSTART_SIGNING_KEY"))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining(MAKE_ONE);
        assertThatThrownBy(() -> SnapshotSigner.fromPemFile(dir.resolve("missing.pem")))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(MAKE_ONE);
    }

    @Test
    void noMessageOrDescriptionContainsTheKeyMaterial() throws IOException {
        String secret = pem("ed25519-a.pem");
        String body =
                secret.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        SnapshotSigner signer = SnapshotSigner.fromPem(secret, "test");
        assertThat(signer.toString()).doesNotContain(body).contains(signer.keyId());
        // A damaged key's message names the origin, never the text.
        String damaged = secret.replace(body, body.substring(0, 20) + "!!" + body.substring(22));
        assertThatThrownBy(() -> SnapshotSigner.fromPem(damaged, "test"))
                .isInstanceOf(SigningKeyException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(body.substring(0, 20)));
    }
}
