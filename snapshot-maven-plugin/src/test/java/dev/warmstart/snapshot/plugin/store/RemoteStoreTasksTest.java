package dev.warmstart.snapshot.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.Guard;
import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.RemoteStoreWriter;
import dev.warmstart.snapshot.store.SnapshotRecord;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.testsupport.NginxServer;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store goals' work on a remote store served by a real nginx with WebDAV (and LOCK) on loopback. */
class RemoteStoreTasksTest {
    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private Path snapshot(String label) throws Exception {
        Path file = dir.resolve(label + ".tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, label.getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-20T00:00:00Z"), "test", "0", Map.of());
        }
        return file;
    }

    private NginxServer nginx(boolean locking) throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("www/store"));
        NginxServer server = locking
                ? NginxServer.start(root.getParent(), dir.resolve("nginx"))
                : NginxServer.startWithoutLocks(root.getParent(), dir.resolve("nginx"));
        assumeTrue(!locking || server.locking(), "libnginx-mod-http-dav-ext is not installed");
        return server;
    }

    @Test
    void publishPromoteCanaryAndRollbackChangeTheStoreOnTheServer() throws Exception {
        try (NginxServer nginx = nginx(true)) {
            RemoteStoreTasks remote = new RemoteStoreTasks(
                    nginx.url().resolve("store/"), HttpStoreSettings.defaults(), false, log::add, null);
            Path v1 = snapshot("v1");
            Path v2 = snapshot("v2");
            SnapshotRecord r1 = remote.change(List.of(), false, t -> t.publish(v1));
            SnapshotRecord r2 = remote.change(List.of(), false, t -> t.publish(v2));
            remote.change(
                    List.of(r1.id()), false, t -> t.promote(r1.id(), null, "stable", 0, null, true, Guard.DEFAULT));
            remote.change(List.of(r2.id()), false, t -> t.promote(r2.id(), null, "canary", 10, Set.of(), true, null));

            Path served = dir.resolve("www/store");
            StoreRegistry onServer = SnapshotStore.open(served).registry();
            assertThat(onServer.stable()).isEqualTo(r1.id());
            assertThat(onServer.canary("canary"))
                    .get()
                    .satisfies(c -> assertThat(c.snapshotId()).isEqualTo(r2.id()));
            assertThat(Files.readAllBytes(served.resolve(r2.file()))).isEqualTo(Files.readAllBytes(v2));
            assertThat(served.resolve("history/00000004.json")).exists();

            remote.change(List.of(), false, t -> t.removeCanary("canary"));
            remote.change(List.of(r2.id()), false, t -> t.promote(r2.id(), null, "stable", 0, null, true, null));
            StoreRegistry back = remote.change(List.of(), true, t -> t.rollback(null));
            assertThat(back.stable()).isEqualTo(r1.id());
            assertThat(SnapshotStore.open(served).registry().revision()).isEqualTo(back.revision());

            // the log names the URL, never the temporary mirror
            assertThat(log).anyMatch(l -> l.startsWith("Published snapshot " + r1.id()) && l.endsWith("/store/"));
            assertThat(log).anyMatch(l -> l.contains("Store " + nginx.url() + "store/ is at revision 7"));
            assertThat(log).noneMatch(l -> l.contains("warmstart-store-"));

            log.clear();
            remote.status();
            assertThat(log).anyMatch(l -> l.contains(r1.id()));

            log.clear();
            List<StoreRegistry> history = remote.history();
            assertThat(history).extracting(StoreRegistry::revision).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(log).contains("history (7 revisions, oldest first):");
            assertThat(log).anyMatch(l -> l.contains("    7  ") && l.contains("[stable " + r1.id()));
        }
    }

    @Test
    void aChangeWhileAnotherWriterHoldsTheLockIsTriedAgainAndLandsOnceTheLockIsFree() throws Exception {
        try (NginxServer nginx = nginx(true)) {
            RemoteStoreTasks remote = new RemoteStoreTasks(
                    nginx.url().resolve("store/"), HttpStoreSettings.defaults(), false, log::add, null);
            Path v1 = snapshot("v1");
            SnapshotRecord r1 = remote.change(List.of(), false, t -> t.publish(v1));
            RemoteStoreWriter other = RemoteStoreWriter.begin(
                    nginx.url().resolve("store/"),
                    HttpStoreSettings.defaults(),
                    Files.createDirectory(dir.resolve("other")),
                    false,
                    List.of(),
                    false);
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    other.close(); // the other pipeline finishes without changing anything
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            release.start();
            log.clear();
            remote.change(List.of(r1.id()), false, t -> t.promote(r1.id(), null, "stable", 0, null, true, null));
            release.join();

            StoreRegistry onServer =
                    SnapshotStore.open(dir.resolve("www/store")).registry();
            assertThat(onServer.stable()).isEqualTo(r1.id());
            // the lines of the attempt that landed, once; never those of the attempts that met the lock
            assertThat(log.stream().filter(l -> l.contains("is at revision " + onServer.revision())))
                    .hasSize(1);
            assertThat(log).last().asString().startsWith("Uploaded the change to " + nginx.url() + "store/");
        }
    }

    @Test
    void aChangeWhileAnotherWriterHoldsTheLockThroughoutGivesUpAndChangesNothing() throws Exception {
        try (NginxServer nginx = nginx(true)) {
            RemoteStoreTasks remote = new RemoteStoreTasks(
                    nginx.url().resolve("store/"), HttpStoreSettings.defaults(), false, log::add, null);
            Path v1 = snapshot("v1");
            remote.change(List.of(), false, t -> t.publish(v1));
            byte[] before = Files.readAllBytes(dir.resolve("www/store/registry.json"));
            try (RemoteStoreWriter other = RemoteStoreWriter.begin(
                    nginx.url().resolve("store/"),
                    HttpStoreSettings.defaults(),
                    Files.createDirectory(dir.resolve("other")),
                    false,
                    List.of(),
                    false)) {
                assertThatThrownBy(() -> remote.change(
                                List.of(), false, t -> t.promote(null, v1, "stable", 0, null, true, null)))
                        .isInstanceOf(StoreTaskException.class)
                        .hasMessageContaining("gave up after")
                        .hasMessageContaining("another writer holds the lock")
                        .hasMessageContaining("nothing of this change is in the registry");
            }
            assertThat(Files.readAllBytes(dir.resolve("www/store/registry.json")))
                    .isEqualTo(before);
        }
    }

    @Test
    void aRefusalNamesTheStoreUrlNotTheTemporaryMirror() throws Exception {
        try (NginxServer nginx = nginx(true)) {
            RemoteStoreTasks remote = new RemoteStoreTasks(
                    nginx.url().resolve("store/"), HttpStoreSettings.defaults(), false, log::add, null);
            assertThatThrownBy(() -> remote.change(List.of(), false, t -> t.rollback(null)))
                    .isInstanceOf(StoreTaskException.class)
                    .hasMessageContaining("no store at " + nginx.url() + "store/")
                    .hasMessageNotContaining("warmstart-store-");
        }
    }

    @Test
    void aServerWithoutLockIsRefusedUnlessForced() throws Exception {
        try (NginxServer nginx = nginx(false)) {
            Path v1 = snapshot("v1");
            RemoteStoreTasks careful = new RemoteStoreTasks(
                    nginx.url().resolve("store/"), HttpStoreSettings.defaults(), false, log::add, null);
            assertThatThrownBy(() -> careful.change(List.of(), false, t -> t.publish(v1)))
                    .isInstanceOf(StoreTaskException.class)
                    .hasMessageContaining("offers neither a WebDAV LOCK nor conditional PUT")
                    .hasMessageContaining("--force");
            assertThat(dir.resolve("www/store/registry.json")).doesNotExist();

            RemoteStoreTasks forced = new RemoteStoreTasks(
                    nginx.url().resolve("store/"), HttpStoreSettings.defaults(), true, log::add, null);
            SnapshotRecord r1 = forced.change(List.of(), false, t -> t.publish(v1));
            assertThat(SnapshotStore.open(dir.resolve("www/store")).registry().snapshot(r1.id()))
                    .isPresent();
        }
    }
}
