package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.loader.UnknownSigningKeyException;
import dev.warmstart.snapshot.loader.UnsignedSnapshotException;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedStoreTest {
    @TempDir
    Path tmp;

    private static String pem(String name) throws IOException {
        try (InputStream in = TrustedStoreTest.class.getResourceAsStream("/dev/warmstart/snapshot/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static TrustPolicy trustingA() throws IOException {
        return TrustPolicy.of(TrustPolicy.publicKeys(pem("ed25519-a.pub.pem"), "key a"));
    }

    /** A snapshot labelled {@code label}, signed with test key {@code key} (null: unsigned). */
    private Path snapshot(String label, String key) throws IOException {
        Path file = tmp.resolve(label + ".tar");
        SnapshotSigner signer = key == null ? null : SnapshotSigner.fromPem(pem(key + ".pem"), key);
        try (SnapshotWriter writer = SnapshotWriter.create(file).signWith(signer)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, label.getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of());
        }
        return file;
    }

    private static ManagerOptions manual(TrustPolicy trust) {
        return StoreFixtures.manual().withTrust(trust);
    }

    @Test
    void aTrustingStorePublishesAndPromotesASignedSnapshot() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store")).withTrust(trustingA());
        String id = store.publish(snapshot("v1", "ed25519-a")).id();
        store.promoteStable(id, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual(trustingA()))) {
            assertThat(manager.stableId()).isEqualTo(id);
        }
    }

    @Test
    void aTrustingStoreRefusesToPublishAnUnsignedSnapshotAndCopiesNothing() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store")).withTrust(trustingA());
        Path unsigned = snapshot("v1", null);
        assertThatThrownBy(() -> store.publish(unsigned))
                .isInstanceOf(UnsignedSnapshotException.class)
                .hasMessageContaining(unsigned.toString());
        assertThat(store.registry().snapshots()).isEmpty();
        try (var files = Files.list(store.directory().resolve("snapshots"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aTrustingStoreRefusesASnapshotSignedByAnotherKey() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store")).withTrust(trustingA());
        assertThatThrownBy(() -> store.publish(snapshot("v1", "ed25519-b")))
                .isInstanceOf(UnknownSigningKeyException.class);
    }

    @Test
    void aTrustingStoreRefusesToPromoteAnUnsignedSnapshotPublishedWithoutTrust() throws IOException {
        SnapshotStore open = SnapshotStore.open(tmp.resolve("store"));
        String id = open.publish(snapshot("v1", null)).id();
        SnapshotStore trusting = open.withTrust(trustingA());
        long revision = trusting.registry().revision();
        assertThatThrownBy(() -> trusting.promoteStable(id, null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is not signed");
        assertThatThrownBy(() -> trusting.promoteCanary("canary", id, CanaryRule.percent(10), null))
                .isInstanceOf(StoreException.class);
        assertThat(trusting.registry().revision()).isEqualTo(revision);
        assertThat(trusting.registry().stable()).isNull();
    }

    @Test
    void aTrustingManagerKeepsServingThePreviousStateWhenTheRegistryNamesAnUnsignedSnapshot() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = store.publish(snapshot("v1", "ed25519-a")).id();
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual(trustingA()))) {
            // Someone with write access to the store, but not the key, promotes an unsigned snapshot.
            String v2 = store.publish(snapshot("v2", null)).id();
            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.stableId()).isEqualTo(v1);
        }
    }

    @Test
    void aTrustingManagerRefusesToStartOnAStoreWhoseStableIsUnsigned() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        store.promoteStable(store.publish(snapshot("v1", null)).id(), null);
        assertThatThrownBy(() -> SnapshotManager.open(store.directory(), manual(trustingA())))
                .hasMessageContaining("is not signed");
    }
}
