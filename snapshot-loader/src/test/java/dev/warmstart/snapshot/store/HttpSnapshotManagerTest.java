package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.NginxServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SnapshotManager} over a store served by a real nginx. */
class HttpSnapshotManagerTest {
    @TempDir
    Path tmp;

    private NginxServer nginx;
    private SnapshotStore store;
    private Path cache;
    private SnapshotRecord a;
    private SnapshotRecord b;
    private final Events events = new Events();

    @BeforeEach
    void serveAStore() throws IOException {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path storeDir = Files.createDirectories(tmp.resolve("store"));
        store = SnapshotStore.open(storeDir);
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        a = store.publish(StoreFixtures.snapshot(inputs, "alpha"));
        b = store.publish(StoreFixtures.snapshot(inputs, "beta"));
        store.promoteStable(a.id(), null);
        nginx = NginxServer.start(storeDir, Files.createDirectories(tmp.resolve("nginx")));
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stopNginx() throws IOException {
        if (nginx != null) {
            nginx.close();
        }
    }

    private ManagerOptions options(Duration poll) {
        return ManagerOptions.defaults().withPollInterval(poll).withListener(events);
    }

    private SnapshotManager open(Duration poll) throws IOException {
        return SnapshotManager.open(nginx.url(), cache, options(poll), HttpStoreSettings.defaults());
    }

    /**
     * A replica that downloads only what its registry serves, not the published snapshots ahead of their promotion:
     * for the tests of what happens when a download fails on the switch (ahead, beta would be cached before the
     * test damages it on the server).
     */
    private SnapshotManager openWithoutDownloadsAhead(Duration poll) throws IOException {
        return SnapshotManager.open(
                nginx.url(), cache, options(poll).withPreverifyPublished(0), HttpStoreSettings.defaults());
    }

    @Test
    void followsPromoteAndRollbackOnTheServer() throws IOException, InterruptedException {
        try (SnapshotManager manager = open(Duration.ofMillis(100))) {
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertThat(manager.storeLocation()).isEqualTo(nginx.url().toString());

            store.promoteStable(b.id(), null);
            StoreFixtures.await(() -> manager.stableId().equals(b.id()), "the switch to beta");
            try (SnapshotLease lease = manager.select()) {
                assertThat(lease.snapshot().metadata().provenance()).containsEntry("label", "beta");
            }

            store.rollback();
            StoreFixtures.await(() -> manager.stableId().equals(a.id()), "the rollback to alpha");
        }
    }

    @Test
    void anUnchangedRegistryCostsOneConditionalGetAnswered304WithoutABody() throws IOException {
        try (SnapshotManager manager = open(Duration.ofHours(1))) {
            for (int i = 0; i < 3; i++) {
                assertThat(manager.refresh()).isFalse();
            }
            List<String> registryGets = nginx.accessLog().stream()
                    .filter(l -> l.contains("/registry.json"))
                    .toList();
            assertThat(registryGets).hasSize(4);
            assertThat(registryGets.get(0)).startsWith("GET /registry.json 200 ");
            assertThat(registryGets.subList(1, 4)).containsOnly("GET /registry.json 304 0");
            assertThat(manager.metrics().notModifiedPolls()).isEqualTo(3);
        }
    }

    @Test
    void keepsServingWhileTheServerIsDownAndSaysSo() throws IOException {
        try (SnapshotManager manager = open(Duration.ofHours(1))) {
            nginx.stop();
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.refresh()).isFalse();

            assertThat(manager.metrics().servingFromCache()).isTrue();
            assertThat(events.unreachable).hasSize(1); // once per outage, not per poll
            try (SnapshotLease lease = manager.select()) {
                assertThat(lease.snapshot().id()).isEqualTo(a.id());
            }

            nginx.start();
            store.promoteStable(b.id(), null);
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.stableId()).isEqualTo(b.id());
            assertThat(manager.metrics().servingFromCache()).isFalse();
            assertThat(events.reachable).hasSize(1);
        }
    }

    @Test
    void aManagerStartedWhileTheServerIsDownServesFromItsCacheAndCatchesUpWhenItReturns() throws IOException {
        open(Duration.ofHours(1)).close(); // an earlier run filled the cache
        nginx.stop();

        try (SnapshotManager manager = open(Duration.ofHours(1))) {
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertThat(manager.metrics().servingFromCache()).isTrue();
            assertThat(events.unreachable).hasSize(1);

            store.promoteStable(b.id(), null);
            nginx.start();
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.stableId()).isEqualTo(b.id());
            assertThat(manager.metrics().servingFromCache()).isFalse();
        }
    }

    @Test
    void anEmptyCacheAndNoServerFailsSayingWhatToDo() throws IOException {
        nginx.stop();
        assertThatThrownBy(() -> open(Duration.ofHours(1)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot reach the snapshot store " + nginx.url())
                .hasMessageContaining("holds no registry to start from")
                .hasMessageContaining("store pull");
    }

    @Test
    void anEmptyCacheAndNoServerStartsFromABootstrapStoreWhenOneIsConfigured() throws IOException {
        Path baked = tmp.resolve("baked");
        StorePull.pull(nginx.url(), baked, HttpStoreSettings.defaults()); // at image build time
        nginx.stop();

        HttpStoreSettings settings = HttpStoreSettings.defaults().withBootstrap(baked);
        try (SnapshotManager manager =
                SnapshotManager.open(nginx.url(), cache, options(Duration.ofHours(1)), settings)) {
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertThat(manager.metrics().servingFromCache()).isTrue();

            store.promoteStable(b.id(), null);
            nginx.start();
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.stableId()).isEqualTo(b.id());
        }
    }

    @Test
    void aRegistryThatIsNotJsonIsRefusedAndTheOldStateKeepsServing() throws IOException {
        try (SnapshotManager manager = open(Duration.ofHours(1))) {
            byte[] cached = Files.readAllBytes(cache.resolve("registry.json"));
            Files.writeString(store.registryFile(), "<html>maintenance</html>", StandardCharsets.UTF_8);

            assertThat(manager.refresh()).isFalse();

            assertThat(events.failures).singleElement().asString().contains("is not a valid registry");
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertThat(Files.readAllBytes(cache.resolve("registry.json"))).isEqualTo(cached);
        }
    }

    @Test
    void aSnapshotTheServerDoesNotHoldIsRefusedWithTheUrlAnd404() throws IOException {
        try (SnapshotManager manager = openWithoutDownloadsAhead(Duration.ofHours(1))) {
            store.promoteStable(b.id(), null);
            Files.delete(store.snapshotFile(b));

            assertThat(manager.refresh()).isFalse();

            assertThat(events.failures)
                    .singleElement()
                    .asString()
                    .contains("snapshots/" + b.id() + ".tar answered HTTP 404")
                    .contains("does not hold it");
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertNothingHalfDownloaded();
        }
    }

    @Test
    void aSnapshotChangedOnTheServerIsRefusedAndNotCached() throws IOException {
        try (SnapshotManager manager = openWithoutDownloadsAhead(Duration.ofHours(1))) {
            store.promoteStable(b.id(), null);
            try (RandomAccessFile f = new RandomAccessFile(store.snapshotFile(b).toFile(), "rw")) {
                f.seek(b.size() / 2); // inside payload.bin
                int x = f.read();
                f.seek(b.size() / 2);
                f.write(x ^ 0x20);
            }

            assertThat(manager.refresh()).isFalse();

            assertThat(events.failures)
                    .singleElement()
                    .asString()
                    .contains("is refused")
                    .contains(b.id());
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertNothingHalfDownloaded();
        }
    }

    @Test
    void aTruncatedDownloadIsRefusedAndNotCached() throws IOException {
        try (SnapshotManager manager = openWithoutDownloadsAhead(Duration.ofHours(1))) {
            store.promoteStable(b.id(), null);
            try (RandomAccessFile f = new RandomAccessFile(store.snapshotFile(b).toFile(), "rw")) {
                f.setLength(b.size() / 2);
            }

            assertThat(manager.refresh()).isFalse();

            assertThat(events.failures)
                    .singleElement()
                    .asString()
                    .contains("is truncated: " + b.size() / 2 + " of the " + b.size() + " bytes");
            assertThat(manager.stableId()).isEqualTo(a.id());
            assertNothingHalfDownloaded();
        }
    }

    @Test
    void aDownloadIsVerifiedOnceBeforeItServesNotAgainWhenItIsMapped() throws IOException {
        try (SnapshotManager manager = openWithoutDownloadsAhead(Duration.ofHours(1))) {
            store.promoteStable(b.id(), null);
            assertThat(manager.refresh()).isTrue();

            assertThat(manager.stableId()).isEqualTo(b.id());
            // verified by the cache before the download got its name, and trusted (same file) when mapped
            assertThat(events.verified).filteredOn(b.id()::equals).hasSize(1);
        }
    }

    @Test
    void aPublishedSnapshotIsDownloadedAndVerifiedAheadSoItsPromotionOnlySwaps()
            throws IOException, InterruptedException {
        try (SnapshotManager manager = open(Duration.ofHours(1))) {
            StoreFixtures.await(() -> manager.isVerified(b), "the verification of beta ahead of its promotion");
            assertThat(events.verified).filteredOn(b.id()::equals).hasSize(1);
            long downloads = nginx.accessLog().stream()
                    .filter(l -> l.startsWith("GET /snapshots/" + b.id() + ".tar 200"))
                    .count();
            assertThat(downloads).isEqualTo(1);

            store.promoteStable(b.id(), null);
            assertThat(manager.refresh()).isTrue();

            assertThat(manager.stableId()).isEqualTo(b.id());
            assertThat(events.verified).filteredOn(b.id()::equals).hasSize(1);
            assertThat(nginx.accessLog().stream().filter(l -> l.startsWith("GET /snapshots/" + b.id() + ".tar")))
                    .hasSize(1);
        }
    }

    @Test
    void aHugeRegistryIsRefusedWithoutReadingItAll() throws IOException {
        HttpStoreSettings settings = HttpStoreSettings.defaults().withMaxRegistryBytes(64 * 1024);
        try (SnapshotManager manager =
                SnapshotManager.open(nginx.url(), cache, options(Duration.ofHours(1)), settings)) {
            Files.write(store.registryFile(), new byte[8 << 20]);

            assertThat(manager.refresh()).isFalse();

            assertThat(events.failures).singleElement().asString().contains("more than the 65536 bytes accepted");
            assertThat(manager.stableId()).isEqualTo(a.id());
        }
    }

    @Test
    void theCacheKeepsOnlyWhatTheRegistryServesAndTwoEarlierStables() throws IOException {
        Path inputs = tmp.resolve("inputs");
        try (SnapshotManager manager = openWithoutDownloadsAhead(Duration.ofHours(1))) {
            List<String> ids = new ArrayList<>(List.of(a.id()));
            for (String label : List.of("c", "d", "e", "f")) {
                String id = store.publish(StoreFixtures.snapshot(inputs, label)).id();
                store.promoteStable(id, null);
                assertThat(manager.refresh()).isTrue();
                ids.add(id);
            }
            try (Stream<Path> files = Files.list(cache.resolve("snapshots"))) {
                assertThat(files.map(p -> p.getFileName().toString().substring(0, a.id().length())))
                        .containsExactlyInAnyOrderElementsOf(ids.subList(ids.size() - 3, ids.size()));
            }
        }
    }

    @Test
    void aRedirectLoopIsAClearFailureNotAHang() throws IOException {
        nginx.stop();
        nginx = NginxServer.startWith(
                store.directory(),
                Files.createDirectories(tmp.resolve("nginx-loop")),
                "    location = /loop/registry.json { return 302 /loop/registry.json; }\n",
                false);
        assertThatThrownBy(() -> SnapshotManager.open(
                        nginx.url().resolve("/loop/"),
                        cache,
                        options(Duration.ofHours(1)),
                        HttpStoreSettings.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("/loop/registry.json answered HTTP 302")
                .hasMessageContaining("a redirect not followed");
    }

    private void assertNothingHalfDownloaded() throws IOException {
        try (Stream<Path> files = Files.list(cache.resolve("snapshots"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactly(a.id() + "-" + a.contentHash() + ".tar");
        }
    }

    /** Records what the manager reports. */
    static final class Events implements SnapshotEventListener {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<String> unreachable = new CopyOnWriteArrayList<>();
        final List<String> reachable = new CopyOnWriteArrayList<>();
        final List<String> verified = new CopyOnWriteArrayList<>();

        @Override
        public void verified(String snapshotId, Duration took) {
            verified.add(snapshotId);
        }

        @Override
        public void failed(String what, Throwable error) {
            failures.add(what + ": " + FailureReporter.describe(error));
        }

        @Override
        public void storeUnreachable(String location, Throwable error) {
            unreachable.add(location + ": " + error.getMessage());
        }

        @Override
        public void storeReachable(String location) {
            reachable.add(location);
        }
    }
}
