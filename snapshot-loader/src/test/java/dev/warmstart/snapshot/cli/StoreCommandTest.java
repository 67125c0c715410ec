package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store ...} on the command line: every operation, its output and exit codes. */
class StoreCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private String stdout() {
        return cli.stdout();
    }

    private String stderr() {
        return cli.stderr();
    }

    private String publish(Path store, String label) throws Exception {
        Path file = dir.resolve(label + ".tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, label.getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-0" + label.charAt(1) + "T00:00:00Z"), "test", "0", Map.of());
        }
        assertThat(run("store", "publish", store.toString(), file.toString())).isZero();
        assertThat(stdout()).startsWith("published 2026110");
        return stdout().split(" ")[1];
    }

    @Test
    void theWholeLifecycle() throws Exception {
        Path store = dir.resolve("store");
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");

        assertThat(run("store", "promote", store.toString(), v1)).isZero();
        assertThat(stdout()).contains("stable: " + v1, "guard 3% over PT5M, at least 100 requests");
        assertThat(run("store", "promote", store.toString(), v2, "--no-guard")).isZero();
        assertThat(run(
                        "store",
                        "promote",
                        store.toString(),
                        v3,
                        "--canary",
                        "canary",
                        "--percent",
                        "12.5",
                        "--allow",
                        "alice,bob",
                        "--failure-rate",
                        "5",
                        "--window",
                        "2m",
                        "--min-requests",
                        "20"))
                .isZero();
        assertThat(stdout())
                .contains("canary 'canary': " + v3 + " at 12.5%, allowlist alice,bob  guard 5% over PT2M,"
                        + " at least 20 requests");

        assertThat(run("store", "status", store.toString())).isZero();
        assertThat(stdout())
                .contains("stable: " + v2, "previous stable: " + v1)
                .containsPattern(v3 + "\\s+canary\\s+4096 bytes");

        assertThat(run("store", "rollback", store.toString())).isZero();
        assertThat(stdout()).contains("stable: " + v1);
        assertThat(run("store", "rollback", store.toString(), v3)).isZero();
        assertThat(stdout()).contains("stable: " + v3);

        assertThat(run("store", "history", store.toString())).isZero();
        assertThat(stdout().lines()).hasSize(8);
        assertThat(stdout()).contains("    4  ", "promote " + v1 + " to stable", "rollback to " + v3);

        assertThat(run("store", "restore", store.toString(), "6")).isZero();
        StoreRegistry r = SnapshotStore.open(store).registry();
        assertThat(r.stable()).isEqualTo(v2);
        assertThat(r.canary("canary")).isPresent();
        assertThat(run("store", "remove-canary", store.toString(), "canary")).isZero();
        assertThat(SnapshotStore.open(store).registry().canaries()).isEmpty();
    }

    @Test
    void refusalsAndUsageErrors() throws Exception {
        Path store = dir.resolve("store");
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        // A snapshot that no longer verifies is not promoted: exit 1, one line naming it.
        Path file = store.resolve("snapshots").resolve(v2 + ".tar");
        byte[] bytes = Files.readAllBytes(file);
        bytes[600] ^= 1;
        Files.write(file, bytes);
        assertThat(run("store", "promote", store.toString(), v2)).isEqualTo(1);
        assertThat(stderr()).contains(v2).contains("not promoted");
        assertThat(stderr().lines()).hasSize(1);

        assertThat(run("store", "rollback", store.toString())).isEqualTo(1);
        assertThat(stderr()).contains("no previous stable snapshot");
        assertThat(run("store", "promote", store.toString(), "nope")).isEqualTo(1);
        assertThat(stderr()).contains("no snapshot 'nope'", "publish it first");
        assertThat(run(
                        "store",
                        "publish",
                        store.toString(),
                        dir.resolve("missing.tar").toString()))
                .isEqualTo(1);
        assertThat(run("store", "status", dir.resolve("elsewhere").toString())).isEqualTo(1);
        assertThat(stderr()).contains("no store at");

        assertThat(run("store", "promote", store.toString(), v1, "--percent", "5"))
                .isEqualTo(2);
        assertThat(stderr()).contains("--percent and --allow need --canary NAME");
        assertThat(run("store", "promote", store.toString(), v1, "--bogus")).isEqualTo(2);
        assertThat(run("store", "promote", store.toString(), v1, "--window", "soon"))
                .isEqualTo(1);
        assertThat(stderr()).contains("cannot read the window 'soon'");
        assertThat(run("store", "restore", store.toString(), "x")).isEqualTo(2);
        assertThat(run("store", "frobnicate", store.toString())).isEqualTo(2);
        assertThat(run("store")).isEqualTo(2);
        assertThat(run("--help")).isZero();
        assertThat(stdout()).contains("store promote DIR ID");
    }
}
