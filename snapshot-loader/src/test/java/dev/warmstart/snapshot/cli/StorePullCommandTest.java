package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.testsupport.NginxServer;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store pull URL DIR}: output and exit codes. */
class StorePullCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void pullsFromARealServerAndExitsZero() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        Path file = dir.resolve("v1.tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, "v1".getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of());
        }
        String id = store.publish(file).id();
        store.promoteStable(id, null);
        try (NginxServer nginx = NginxServer.start(store.directory(), Files.createDirectories(dir.resolve("n")))) {
            Path local = dir.resolve("local");
            assertThat(cli.run("store", "pull", nginx.url().toString(), local.toString()))
                    .isZero();
            assertThat(cli.stdout()).contains("pulled revision 2 of " + nginx.url(), "stable " + id);
            assertThat(cli.run("store", "status", local.toString())).isZero();
            assertThat(cli.stdout()).contains(id);
        }
    }

    @Test
    void anUnreachableServerExitsOneSayingWhere() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(cli.run(
                        "store",
                        "pull",
                        "http://127.0.0.1:" + port + "/store/",
                        dir.resolve("x").toString()))
                .isEqualTo(1);
        assertThat(cli.stderr()).contains("http://127.0.0.1:" + port + "/store/registry.json");
        assertThat(dir.resolve("x/registry.json")).doesNotExist();
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageError() {
        assertThat(cli.run("store", "pull", "ftp://example/store", dir.toString()))
                .isEqualTo(2);
        assertThat(cli.stderr()).contains("URL must be http:// or https://");
        assertThat(cli.run("store", "pull", "http://example/store")).isEqualTo(2);
    }

    @Test
    void pruneSaysWhatItRemovedAndRefusesBadCounts() throws Exception {
        SnapshotStore store = SnapshotStore.open(dir.resolve("store"));
        for (String v : new String[] {"v1", "v2", "v3"}) {
            Path file = dir.resolve(v + ".tar");
            try (SnapshotWriter writer = SnapshotWriter.create(file)) {
                writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, v.getBytes(StandardCharsets.UTF_8));
                writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of());
            }
            store.publish(file);
        }
        String first = store.registry().snapshots().get(0).id();
        assertThat(cli.run("store", "prune", store.directory().toString())).isEqualTo(2);
        assertThat(cli.run("store", "prune", store.directory().toString(), "--keep", "-1"))
                .isEqualTo(2);
        assertThat(cli.stderr()).contains("--keep must be a number of 0 or more");

        assertThat(cli.run("store", "prune", store.directory().toString(), "--keep", "2", "--keep-history", "1"))
                .isZero();
        assertThat(cli.stdout()).contains("removed snapshots [" + first + "], 3 history files");
    }
}
