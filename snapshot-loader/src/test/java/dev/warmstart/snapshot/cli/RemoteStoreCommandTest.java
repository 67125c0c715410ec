package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.testsupport.NginxServer;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store <operation> URL ...} against a real nginx. */
class RemoteStoreCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private Path snapshot(String label) throws Exception {
        Path file = dir.resolve(label + ".tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, label.getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of());
        }
        return file;
    }

    @Test
    void publishPromoteRollbackAndStatusOnAUrl() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("root"));
        try (NginxServer nginx = NginxServer.start(root, Files.createDirectories(dir.resolve("n")))) {
            assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
            String url = nginx.url().toString();
            assertThat(cli.run("store", "publish", url, snapshot("v1").toString()))
                    .isZero();
            assertThat(cli.stdout())
                    .contains("published ", " to " + url + "\n", "written to " + url + " under a WebDAV LOCK");
            String v1 = SnapshotStore.open(root).registry().snapshots().get(0).id();
            assertThat(cli.run("store", "publish", url, snapshot("v2").toString()))
                    .isZero();
            String v2 = SnapshotStore.open(root).registry().snapshots().get(1).id();

            assertThat(cli.run("store", "promote", url, v1)).isZero();
            assertThat(cli.run("store", "promote", url, v2, "--no-guard")).isZero();
            assertThat(cli.run("store", "rollback", url)).isZero();
            assertThat(cli.run("store", "status", url)).isZero();
            assertThat(cli.stdout()).contains("stable: " + v1);
            assertThat(SnapshotStore.open(root).registry().stable()).isEqualTo(v1);
        }
    }

    @Test
    void historyRestoreAndPruneOnAUrl() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("root"));
        try (NginxServer nginx = NginxServer.start(root, Files.createDirectories(dir.resolve("n")))) {
            assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
            String url = nginx.url().toString();
            String[] ids = new String[4];
            for (int i = 0; i < ids.length; i++) {
                assertThat(cli.run("store", "publish", url, snapshot("v" + i).toString()))
                        .isZero();
                ids[i] = SnapshotStore.open(root).registry().snapshots().get(i).id();
            }
            assertThat(cli.run("store", "promote", url, ids[0], "--no-guard")).isZero(); // revision 5
            assertThat(cli.run("store", "promote", url, ids[1], "--no-guard")).isZero(); // revision 6

            assertThat(cli.run("store", "history", url)).isZero();
            assertThat(cli.stdout())
                    .contains(
                            "publish " + ids[3],
                            "promote " + ids[0] + " to stable",
                            "promote " + ids[1] + " to stable");

            assertThat(cli.run("store", "restore", url, "5")).as(cli.stderr()).isZero();
            assertThat(cli.stdout()).contains("revision 7: restore revision 5");
            assertThat(SnapshotStore.open(root).registry().stable()).isEqualTo(ids[0]);
            assertThat(cli.run("store", "restore", url, "99")).isEqualTo(1);
            assertThat(cli.stderr()).contains("no revision 99");

            // revision 5 restored: ids[0] stable, nothing earlier; --keep 1 keeps the newest, ids[3]
            assertThat(cli.run("store", "prune", url, "--keep", "1", "--keep-history", "3"))
                    .as(cli.stderr())
                    .isZero();
            assertThat(cli.stdout())
                    .contains("removed snapshots [" + ids[1] + ", " + ids[2] + "]", "5 history files removed");
            SnapshotStore served = SnapshotStore.open(root);
            assertThat(served.registry().revision()).isEqualTo(8);
            assertThat(served.registry().snapshots()).extracting(r -> r.id()).containsExactly(ids[0], ids[3]);
            assertThat(root.resolve("snapshots/" + ids[1] + ".tar")).doesNotExist();
            assertThat(root.resolve("snapshots/" + ids[2] + ".tar")).doesNotExist();
            assertThat(root.resolve("snapshots/" + ids[3] + ".tar")).exists();
            assertThat(served.history()).extracting(r -> r.revision()).containsExactly(6L, 7L, 8L);

            assertThat(cli.run("store", "history", url)).isZero();
            assertThat(cli.stdout()).doesNotContain("publish " + ids[3]).contains("restore revision 5");
        }
    }

    @Test
    void aUrlIsWrittenOnlyWithSnapshotsTheTrustPolicyAccepts() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("root"));
        Path trusted = Files.writeString(dir.resolve("a.pub.pem"), pem("ed25519-a.pub.pem"));
        try (NginxServer nginx = NginxServer.start(root, Files.createDirectories(dir.resolve("n")))) {
            assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
            String url = nginx.url().toString();
            assertThat(cli.run("store", "publish", url, snapshot("v1").toString(), "--trust", trusted.toString()))
                    .isEqualTo(1);
            assertThat(cli.stderr()).contains("is not signed");
            assertThat(root.resolve("registry.json"))
                    .satisfiesAnyOf(
                            f -> assertThat(f).doesNotExist(),
                            f -> assertThat(f).isEmptyFile());
        }
    }

    private static String pem(String name) throws java.io.IOException {
        try (java.io.InputStream in =
                RemoteStoreCommandTest.class.getResourceAsStream("/dev/warmstart/snapshot/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aServerWithoutLocksIsRefusedWithExitOneUnlessForced() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("root"));
        try (NginxServer nginx = NginxServer.startWithoutLocks(root, Files.createDirectories(dir.resolve("n")))) {
            String url = nginx.url().toString();
            assertThat(cli.run("store", "publish", url, snapshot("v1").toString()))
                    .isEqualTo(1);
            assertThat(cli.stderr()).contains("offers neither a WebDAV LOCK nor conditional PUT", "--force");
            assertThat(root.resolve("registry.json")).doesNotExist();

            assertThat(cli.run("store", "publish", url, snapshot("v1").toString(), "--force"))
                    .isZero();
            assertThat(root.resolve("registry.json")).exists();
        }
    }
}
