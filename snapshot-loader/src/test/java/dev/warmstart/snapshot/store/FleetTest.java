package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.testsupport.NginxServer;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five replicas in five JVMs ({@link FleetReplica}) on one store served by a real nginx: promote, canary,
 * rollback, server down, a replica restarted while it is down, server back, a snapshot damaged on the server.
 */
class FleetTest {
    private static final int REPLICAS = 5;

    @TempDir
    Path tmp;

    private NginxServer nginx;
    private final List<Replica> fleet = new ArrayList<>();

    @AfterEach
    void stopAll() throws IOException {
        for (Replica r : fleet) {
            r.process.destroyForcibly();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void aFleetFollowsOneRegistryAndSurvivesTheServerGoingAway() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        SnapshotStore store = SnapshotStore.open(Files.createDirectories(tmp.resolve("store")));
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        String a = store.publish(StoreFixtures.snapshot(inputs, "alpha")).id();
        String b = store.publish(payload(inputs, "beta")).id();
        String c = store.publish(StoreFixtures.snapshot(inputs, "gamma")).id();
        store.promoteStable(a, null);
        nginx = NginxServer.start(store.directory(), Files.createDirectories(tmp.resolve("nginx")));
        for (int i = 0; i < REPLICAS; i++) {
            fleet.add(new Replica(i));
        }
        awaitAll(s -> s.stable.equals(a) && !s.fromCache, "every replica serves " + a);
        awaitDownloadsAhead(preverifyPublished() > 0 ? List.of(b, c) : List.of());

        // idle: every request is one conditional GET answered 304 without a body
        int seen = nginx.accessLog().size();
        Thread.sleep(2_000);
        List<String> log = nginx.accessLog(); // read once: nginx keeps appending while the replicas poll
        List<String> idle = log.subList(seen, log.size());
        assertThat(idle).isNotEmpty().containsOnly("GET /registry.json 304 0");
        System.out.printf(
                "fleet: idle, %.1f requests per replica per second (poll 200 ms ± 20%%), all 304 without a body%n",
                idle.size() / (double) REPLICAS / 2.0);

        long t0 = System.nanoTime();
        store.promoteStable(b, null);
        awaitAll(s -> s.stable.equals(b), "every replica serves " + b);
        System.out.printf(
                "fleet: promote to the last of %d replicas serving: %d ms (poll 200 ms ± 20%%)%n",
                REPLICAS, (System.nanoTime() - t0) / 1_000_000);

        store.promoteCanary("canary", c, new CanaryRule(10, Set.of(), true), null);
        awaitAll(s -> s.canaryKeys > 0, "every replica routes some keys to the canary");
        assertThat(fleet.stream().map(r -> r.state().routes).distinct())
                .as("every replica routes each key the same way")
                .hasSize(1);
        assertThat(fleet.get(0).state().canaryKeys).isBetween(50L, 150L);

        store.rollback();
        awaitAll(s -> s.stable.equals(a), "every replica back on " + a);

        nginx.stop();
        awaitAll(s -> s.fromCache && s.stable.equals(a), "every replica keeps serving " + a + " from its cache");

        fleet.get(0).restart();
        awaitAll(s -> s.fromCache && s.stable.equals(a), "the restarted replica starts from its cache");

        nginx.start();
        store.promoteStable(c, null);
        awaitAll(s -> !s.fromCache && s.stable.equals(c), "every replica caught up with " + c);

        // a snapshot replaced on the server by damaged bytes under the same name, after it was promoted
        String d = store.publish(StoreFixtures.snapshot(inputs, "delta")).id();
        nginx.stop();
        store.promoteStable(d, null);
        Path served = store.directory().resolve("snapshots").resolve(d + ".tar");
        byte[] damaged = Files.readAllBytes(served);
        damaged[damaged.length / 3] ^= 0x5A;
        Path temp = served.resolveSibling(".damaged.tmp");
        Files.write(temp, damaged);
        Files.move(temp, served, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        nginx.start();
        for (Replica r : fleet) {
            r.awaitFailure(d);
        }
        awaitAll(s -> s.stable.equals(c), "every replica keeps serving " + c);
        for (Replica r : fleet) {
            r.process.getOutputStream().write('\n'); // ask for a fresh state line: still c, still serving
            r.process.getOutputStream().flush();
        }
        Thread.sleep(500);
        awaitAll(s -> s.stable.equals(c), "every replica still serves " + c);
        assertThat(Files.list(tmp)
                        .filter(p -> p.getFileName().toString().startsWith("cache-"))
                        .flatMap(p -> {
                            try {
                                return Files.list(p.resolve("snapshots"));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }))
                .as("no replica cached the damaged snapshot")
                .noneMatch(p -> p.getFileName().toString().startsWith(d));
    }

    /**
     * How many published snapshots each replica downloads and verifies ahead of their promotion: the default, or
     * {@code -Dfleet.preverifyPublished=N} (0 to time a promotion that downloads and verifies on the switch).
     */
    private static int preverifyPublished() {
        return Integer.getInteger("fleet.preverifyPublished", ManagerOptions.DEFAULT_PREVERIFY_PUBLISHED);
    }

    /** Waits until every replica has downloaded each of {@code ids} ahead, so the idle window sees only polls. */
    private void awaitDownloadsAhead(List<String> ids) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String id : ids) {
            String get = "GET /snapshots/" + id + ".tar 200 ";
            while (nginx.accessLog().stream().filter(l -> l.startsWith(get)).count() < REPLICAS) {
                assertThat(System.nanoTime())
                        .as("every replica downloads " + id + " ahead")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    /**
     * The snapshot promoted and timed: the small fixture, or one with {@code -Dfleet.payloadMiB=N} MiB of payload to
     * measure the time from promote to the last replica serving a large snapshot (docs/performance.md).
     */
    private static Path payload(Path dir, String label) throws IOException {
        int mib = Integer.getInteger("fleet.payloadMiB", 0);
        if (mib <= 0) {
            return StoreFixtures.snapshot(dir, label);
        }
        Path file = dir.resolve(label + ".tar");
        byte[] chunk = (label + "|").repeat(1 << 18).getBytes(StandardCharsets.UTF_8);
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            for (int i = 0; i < mib; i++) {
                writer.addEntry("payload/" + i + ".bin", SnapshotFormat.KIND_FILE, Arrays.copyOf(chunk, 1 << 20));
            }
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, label.getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of("label", label));
        }
        return file;
    }

    private void awaitAll(Predicate<State> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (Replica r : fleet) {
                State s = r.state();
                all &= s != null && condition.test(s);
            }
            if (all) {
                return;
            }
            Thread.sleep(20);
        }
        List<String> states = new ArrayList<>();
        for (Replica r : fleet) {
            states.add(r.index + ": " + r.lastLine + " " + r.log());
        }
        throw new AssertionError(what + " within 60 s; states: " + String.join("\n", states));
    }

    /** A replica's last reported state. */
    record State(long revision, String stable, String routes, long canaryKeys, boolean fromCache) {}

    private final class Replica {
        final int index;
        Process process;
        volatile String lastLine;
        volatile String lastFailure;

        Replica(int index) throws IOException {
            this.index = index;
            start();
        }

        void start() throws IOException {
            lastLine = null;
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = Path.of("target", "classes").toAbsolutePath()
                    + File.pathSeparator
                    + Path.of("target", "test-classes").toAbsolutePath();
            process = new ProcessBuilder(
                            java,
                            "-cp",
                            cp,
                            "-Xshare:auto",
                            "-Dfleet.preverifyPublished=" + preverifyPublished(),
                            FleetReplica.class.getName(),
                            nginx.url().toString(),
                            tmp.resolve("cache-" + index).toString())
                    .redirectError(tmp.resolve("replica-" + index + ".log").toFile())
                    .start();
            Process p = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("state ")) {
                            lastLine = line;
                        } else if (line.startsWith("failed ")) {
                            lastFailure = line;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void restart() throws IOException, InterruptedException {
            process.getOutputStream().close(); // the replica ends when its input closes
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
            start();
        }

        void awaitFailure(String id) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String f = lastFailure;
                if (f != null && f.contains(id)) {
                    return;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("replica " + index + " did not refuse " + id + " within 60 s; last failure: "
                    + lastFailure + "; " + log());
        }

        State state() {
            String line = lastLine;
            if (line == null) {
                return null;
            }
            String[] f = line.split(" ");
            return new State(Long.parseLong(f[1]), f[2], f[3], Long.parseLong(f[4]), Boolean.parseBoolean(f[5]));
        }

        String log() {
            try {
                return Files.readString(tmp.resolve("replica-" + index + ".log"));
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
