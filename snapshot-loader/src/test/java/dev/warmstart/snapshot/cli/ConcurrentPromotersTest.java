package dev.warmstart.snapshot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.testsupport.ApacheServer;
import dev.warmstart.snapshot.testsupport.NginxServer;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pipelines in two JVMs promoting to one remote store at the same moment, 20 times each: no update is lost —
 * every promotion that reported success is a revision of the store's history, and every one that did not said
 * why. Against nginx (WebDAV LOCK) and Apache httpd (WebDAV LOCK, and conditional PUT).
 */
class ConcurrentPromotersTest {
    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void twoPipelinesPromotingAtOnceAgainstNginxLoseNoUpdate() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("root"));
        try (NginxServer nginx = NginxServer.start(root, Files.createDirectories(dir.resolve("nginx")))) {
            assumeTrue(nginx.locking(), "libnginx-mod-http-dav-ext is not installed");
            promoteTwiceAtOnce(nginx.url(), root, "under a WebDAV LOCK");
        }
    }

    @Test
    void twoPipelinesPromotingAtOnceAgainstApacheLoseNoUpdate() throws Exception {
        assumeTrue(ApacheServer.available(), ApacheServer.MISSING);
        Path root = Files.createDirectories(dir.resolve("root"));
        try (ApacheServer apache = ApacheServer.start(root, Files.createDirectories(dir.resolve("apache")))) {
            promoteTwiceAtOnce(apache.url(), root, "under a WebDAV LOCK");
        }
    }

    private void promoteTwiceAtOnce(URI url, Path root, String guard) throws Exception {
        Path file = dir.resolve("a.tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, "a".getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of());
        }
        assertThat(cli.run("store", "publish", url.toString(), file.toString()))
                .as(cli.stderr())
                .isZero();
        assertThat(cli.stdout()).contains(guard);
        String id = SnapshotStore.open(root).registry().snapshots().get(0).id();
        long start = SnapshotStore.open(root).registry().revision();

        List<Process> promoters = new ArrayList<>();
        for (String name : List.of("one", "two")) {
            promoters.add(new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            Path.of("target", "classes").toAbsolutePath()
                                    + File.pathSeparator
                                    + Path.of("target", "test-classes").toAbsolutePath()
                                    + File.pathSeparator
                                    + System.getProperty("java.class.path"),
                            PromoterProcess.class.getName(),
                            url.toString(),
                            id,
                            name,
                            Integer.toString(ROUNDS))
                    .redirectError(dir.resolve(name + ".log").toFile())
                    .start());
        }
        for (Process p : promoters) {
            try (OutputStream go = p.getOutputStream()) {
                go.write('\n');
            }
        }
        List<String> succeeded = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < promoters.size(); i++) {
            Process p = promoters.get(i);
            String name = i == 0 ? "one" : "two";
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            for (String line : out.lines().filter(l -> l.startsWith("result ")).toList()) {
                String[] f = line.split(" ", 4);
                if (f[2].equals("0")) {
                    succeeded.add("promote " + id + " to canary '" + name + "' at " + Double.parseDouble(f[1]) + "%");
                } else {
                    refused.add(f.length > 3 ? f[3] : "");
                }
            }
        }
        assertThat(succeeded.size() + refused.size()).isEqualTo(2 * ROUNDS);
        assertThat(refused).as("a refusal says why").allMatch(m -> m.contains("another writer"));

        SnapshotStore served = SnapshotStore.open(root);
        StoreRegistry end = served.registry();
        assertThat(end.revision())
                .as("one revision per promotion reported done")
                .isEqualTo(start + succeeded.size());
        assertThat(served.history().stream().map(StoreRegistry::change).toList())
                .as("the history shows every promotion reported done")
                .containsAll(succeeded);
        long retried = 0;
        for (String name : List.of("one", "two")) {
            retried += Files.readAllLines(dir.resolve(name + ".log")).stream()
                    .filter(l -> l.contains("met another writer"))
                    .count();
        }
        System.out.printf(
                "concurrent promoters at %s: %d of %d promotions done, %d refused, %d attempts met the other writer"
                        + " and were tried again%n",
                url, succeeded.size(), 2 * ROUNDS, refused.size(), retried);
    }
}
