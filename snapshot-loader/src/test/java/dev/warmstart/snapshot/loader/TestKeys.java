package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.writer.SnapshotSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;

/** The test-only keys under src/test/resources/dev/warmstart/snapshot/keys (written by openssl). */
final class TestKeys {
    private TestKeys() {}

    static String pem(String name) {
        try (InputStream in = TestKeys.class.getResourceAsStream("/dev/warmstart/snapshot/keys/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test key " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SnapshotSigner signer(String name) {
        return SnapshotSigner.fromPem(pem(name + ".pem"), name);
    }

    static PublicKey publicKey(String name) {
        return TrustPolicy.publicKeys(pem(name + ".pub.pem"), name).get(0);
    }

    static TrustPolicy trusting(String... names) {
        return TrustPolicy.of(
                java.util.Arrays.stream(names).map(TestKeys::publicKey).toList());
    }

    static List<String> all() {
        return List.of("ed25519-a", "ed25519-b");
    }
}
