package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.NginxServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica's automatic rollback reaches the shared registry only when the replica was given write access
 * ({@link HttpStoreSettings#withRollbackWriter}); read-only replicas contain it in their own service. Against nginx.
 */
class ReplicaRollbackRecordTest {
    @TempDir
    Path tmp;

    private NginxServer nginx;
    private SnapshotStore store;
    private SnapshotRecord b;

    @BeforeEach
    void aGuardedCanary() throws IOException {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        store = SnapshotStore.open(Files.createDirectories(tmp.resolve("store")));
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        SnapshotRecord a = store.publish(StoreFixtures.snapshot(inputs, "alpha"));
        b = store.publish(StoreFixtures.snapshot(inputs, "beta"));
        store.promoteStable(a.id(), null);
        store.promoteCanary("canary", b.id(), new CanaryRule(50, Set.of(), true), Guard.of(3, "5m", 10));
        nginx = NginxServer.start(store.directory(), Files.createDirectories(tmp.resolve("nginx")));
        assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
    }

    @AfterEach
    void stopNginx() throws IOException {
        if (nginx != null) {
            nginx.close();
        }
    }

    private SnapshotManager replica(String name, HttpStoreSettings settings) throws IOException {
        return SnapshotManager.open(
                nginx.url(),
                tmp.resolve("cache-" + name),
                ManagerOptions.defaults().withPollInterval(Duration.ofMillis(100)),
                settings);
    }

    private void trip(SnapshotManager manager) {
        for (int i = 0; i < 20; i++) {
            manager.recordFailure(b.id());
        }
        assertThat(manager.channels())
                .as("out of this replica's service at once")
                .doesNotContainKey("canary");
    }

    @Test
    void aReplicaWithWriteAccessRecordsItsRollbackAndTheFleetFollows() throws Exception {
        try (SnapshotManager writer =
                        replica("writer", HttpStoreSettings.defaults().withRollbackWriter(StoreCredentials.NONE));
                SnapshotManager reader = replica("reader", HttpStoreSettings.defaults())) {
            assertThat(reader.channels()).containsKey("canary");
            trip(writer);
            StoreFixtures.await(() -> registry().canaries().isEmpty(), "the canary to leave the shared registry");
            StoreRegistry shared = store.registry();
            assertThat(shared.snapshot(b.id()).orElseThrow().status()).isEqualTo(SnapshotRecord.ROLLED_BACK);
            assertThat(shared.snapshot(b.id()).orElseThrow().reason()).startsWith("automatic rollback: failure rate");
            assertThat(shared.change()).isEqualTo("automatic rollback of " + b.id());
            StoreFixtures.await(
                    () -> !reader.channels().containsKey("canary"), "the read-only replica to drop the canary");
        }
        assertThat(nginx.accessLog()).anyMatch(l -> l.startsWith("LOCK /registry.json 20"));
    }

    @Test
    void aReadOnlyReplicaLeavesTheSharedRegistryAsItIs() throws Exception {
        long revision = store.registry().revision();
        try (SnapshotManager manager = replica("reader", HttpStoreSettings.defaults())) {
            trip(manager);
        } // close waits for the background write a rollback would make
        assertThat(store.registry().revision()).isEqualTo(revision);
        assertThat(store.registry().canaries()).hasSize(1);
        assertThat(nginx.accessLog()).noneMatch(l -> l.startsWith("LOCK ") || l.startsWith("PUT "));
    }

    private StoreRegistry registry() {
        try {
            return store.registry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
