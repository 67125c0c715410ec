package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.NginxServer;
import dev.warmstart.snapshot.store.SnapshotStore;
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
