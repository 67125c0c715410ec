package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.NginxServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing to a store served by a real nginx: WebDAV LOCK, upload order, no lost update. */
class RemoteStoreWriterTest {
    @TempDir
    Path tmp;

    private NginxServer nginx;
    private Path root;
    private Path inputs;

    @BeforeEach
    void serveAnEmptyRoot() throws IOException {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        root = Files.createDirectories(tmp.resolve("root"));
        inputs = Files.createDirectories(tmp.resolve("inputs"));
    }

    @AfterEach
    void stopNginx() throws IOException {
        if (nginx != null) {
            nginx.close();
        }
    }

    private RemoteStoreWriter begin(boolean force, String... ids) throws IOException {
        return RemoteStoreWriter.begin(
                nginx.url(),
                HttpStoreSettings.defaults(),
                Files.createTempDirectory(tmp, "mirror"),
                force,
                List.of(ids),
                false);
    }

    private String publishAndPromote(String label) throws IOException {
        String id;
        try (RemoteStoreWriter w = begin(false)) {
            id = w.store().publish(StoreFixtures.snapshot(inputs, label)).id();
            w.commit();
        }
        try (RemoteStoreWriter w = begin(false, id)) {
            w.store().promoteStable(id, null);
            w.commit();
        }
        return id;
    }

    @Test
    void publishAndPromoteUploadAStoreThatReplicasFollow() throws IOException {
        nginx = NginxServer.start(root, Files.createDirectories(tmp.resolve("nginx")));
        assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
        String a = publishAndPromote("alpha");

        SnapshotStore served = SnapshotStore.open(root);
        assertThat(served.registry().stable()).isEqualTo(a);
        assertThat(served.history()).extracting(StoreRegistry::revision).containsExactly(1L, 2L);
        try (SnapshotManager manager = SnapshotManager.open(
                nginx.url(), tmp.resolve("cache"), ManagerOptions.defaults(), HttpStoreSettings.defaults())) {
            assertThat(manager.stableId()).isEqualTo(a);
            String b = publishAndPromote("beta");
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.stableId()).isEqualTo(b);
        }
        List<String> puts =
                nginx.accessLog().stream().filter(l -> l.startsWith("PUT ")).toList();
        assertThat(puts.get(0)).startsWith("PUT /snapshots/" + a + ".tar 201");
        assertThat(puts.get(puts.size() - 1)).startsWith("PUT /registry.json");
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws IOException {
        nginx = NginxServer.start(root, Files.createDirectories(tmp.resolve("nginx")));
        assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
        publishAndPromote("alpha");
        try (RemoteStoreWriter first = begin(false)) {
            assertThatThrownBy(() -> begin(false))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("another writer holds the lock")
                    .hasMessageContaining("nothing was changed");
            first.store().publish(StoreFixtures.snapshot(inputs, "beta"));
            first.commit();
        }
        try (RemoteStoreWriter again = begin(false)) {
            assertThat(again.store().registry().snapshots()).hasSize(2);
        }
    }

    @Test
    void twoConcurrentPromotersNeverLoseAnUpdate() throws Exception {
        nginx = NginxServer.start(root, Files.createDirectories(tmp.resolve("nginx")));
        assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
        String a = publishAndPromote("alpha");
        String b = publishAndPromote("beta");
        long start = SnapshotStore.open(root).registry().revision();

        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> results = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            Callable<Integer> promoter = () -> {
                int done = 0;
                for (int i = 0; i < 20; i++) {
                    try (RemoteStoreWriter w = begin(false, a)) {
                        w.store().promoteCanary(name, a, new CanaryRule(i, Set.of(), true), null);
                        w.commit();
                        done++;
                    } catch (StoreException refused) {
                        assertThat(refused).hasMessageContaining("another writer holds the lock");
                    }
                }
                return done;
            };
            results.add(pool.submit(promoter));
        }
        int succeeded = 0;
        for (Future<Integer> f : results) {
            succeeded += f.get();
        }
        pool.shutdown();

        StoreRegistry end = SnapshotStore.open(root).registry();
        assertThat(succeeded).isPositive();
        assertThat(end.revision()).as("one revision per accepted change").isEqualTo(start + succeeded);
        try (Stream<Path> history = Files.list(root.resolve("history"))) {
            assertThat(history.count()).isEqualTo(end.revision());
        }
        assertThat(end.stable()).isEqualTo(b);
    }

    @Test
    void aServerWithoutLocksIsRefusedUnlessForced() throws IOException {
        nginx = NginxServer.startWithoutLocks(root, Files.createDirectories(tmp.resolve("nginx")));

        assertThatThrownBy(() -> begin(false))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("offers neither a WebDAV LOCK nor conditional PUT (If-Match)")
                .hasMessageContaining("--force");
        assertThat(root.resolve("registry.json")).doesNotExist();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left).as("the probe of conditional PUT is deleted").isEmpty();
        }

        try (RemoteStoreWriter w = begin(true)) {
            w.store().publish(StoreFixtures.snapshot(inputs, "alpha"));
            w.commit();
        }
        assertThat(SnapshotStore.open(root).registry().snapshots()).hasSize(1);
    }
}
