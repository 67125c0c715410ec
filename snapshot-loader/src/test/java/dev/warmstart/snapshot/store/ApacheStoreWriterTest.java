package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.ApacheServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing to a store served by a real Apache httpd (mod_dav, mod_dav_fs): conditional PUT where the server offers no
 * lock (as S3), the retry of a read-change-write that another writer overtook, and the lock where it is offered.
 */
class ApacheStoreWriterTest {
    @TempDir
    Path tmp;

    private ApacheServer apache;
    private Path root;
    private Path inputs;

    @BeforeEach
    void paths() throws IOException {
        assumeTrue(ApacheServer.available(), ApacheServer.MISSING);
        root = Files.createDirectories(tmp.resolve("root"));
        inputs = Files.createDirectories(tmp.resolve("inputs"));
    }

    @AfterEach
    void stopApache() throws IOException {
        if (apache != null) {
            apache.close();
        }
    }

    private <T> T write(RemoteStoreWriter.Change<T> change) throws IOException {
        return RemoteStoreWriter.apply(apache.url(), HttpStoreSettings.defaults(), false, List.of(), false, change);
    }

    /** What the conditional writer relies on, checked on the server itself rather than assumed. */
    @Test
    void apacheRefusesAPutWhoseIfMatchDoesNotMatch() throws Exception {
        apache = ApacheServer.startWithoutLocks(root, Files.createDirectories(tmp.resolve("apache")));
        HttpClient http = HttpClient.newHttpClient();
        URI file = apache.url().resolve("probe.json");
        assertThat(http.send(put(file, "one").build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(201);
        String etag = http.send(HttpRequest.newBuilder(file).build(), HttpResponse.BodyHandlers.discarding())
                .headers()
                .firstValue("ETag")
                .orElseThrow();
        assertThat(etag).as("strong at once (FileETag Digest)").doesNotStartWith("W/");

        assertThat(http.send(
                                put(file, "two").header("If-Match", "\"other\"").build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(412);
        assertThat(http.send(
                                put(file, "two").header("If-None-Match", "*").build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(412);
        assertThat(http.send(put(file, "two").header("If-Match", etag).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(204);
        assertThat(http.send(
                                put(file, "three").header("If-Match", etag).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .as("the ETag read before the last change no longer matches")
                .isEqualTo(412);
        assertThat(Files.readString(root.resolve("probe.json"))).isEqualTo("two");
    }

    private static HttpRequest.Builder put(URI uri, String body) {
        return HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void withoutALockAWriterOvertakenByAnotherReadsAgainAndLosesNothing() throws IOException {
        apache = ApacheServer.startWithoutLocks(root, Files.createDirectories(tmp.resolve("apache")));
        AtomicInteger attempts = new AtomicInteger();
        String a = write(w -> {
            if (attempts.incrementAndGet() == 1) {
                // another pipeline creates the store between this writer's read and its write
                write(other -> other.store()
                        .publish(StoreFixtures.snapshot(inputs, "beta"))
                        .id());
            }
            assertThat(w.guarding()).isEqualTo(RemoteStoreWriter.Guarding.CONDITIONAL_PUT);
            return w.store().publish(StoreFixtures.snapshot(inputs, "alpha")).id();
        });
        assertThat(attempts).hasValue(2);

        attempts.set(0);
        write(w -> {
            if (attempts.incrementAndGet() == 1) {
                RemoteStoreWriter.apply(
                        apache.url(),
                        HttpStoreSettings.defaults(),
                        false,
                        List.of(a),
                        false,
                        other -> other.store().promoteStable(a, null));
            }
            return w.store().promoteCanary("canary", registeredOther(w, a), new CanaryRule(10, Set.of(), true), null);
        });
        assertThat(attempts).hasValue(2);

        SnapshotStore served = SnapshotStore.open(root);
        StoreRegistry end = served.registry();
        assertThat(end.stable()).isEqualTo(a);
        assertThat(end.canaries()).hasSize(1);
        assertThat(served.history())
                .extracting(StoreRegistry::change)
                .hasSize(4)
                .anyMatch(c -> c.startsWith("publish") && c.contains(a))
                .anyMatch(c -> c.startsWith("promote " + a + " to stable"))
                .anyMatch(c -> c.contains("to canary 'canary'"));
        List<String> log = apache.accessLog();
        assertThat(log)
                .anyMatch(l -> l.startsWith("PUT /registry.json 412 "))
                .noneMatch(l -> l.startsWith("LOCK /registry.json 200 "));
        try (var left = Files.list(root)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(".warmstart-write-probe"));
        }
    }

    /** The id of the snapshot that is not {@code a}, downloaded into the mirror so the canary can verify it. */
    private static String registeredOther(RemoteStoreWriter w, String a) throws IOException {
        StoreRegistry r = w.store().registry();
        String other = r.snapshots().stream()
                .map(SnapshotRecord::id)
                .filter(id -> !id.equals(a))
                .findFirst()
                .orElseThrow();
        w.mirrorSnapshots(r, List.of(other));
        return other;
    }

    @Test
    void oneAttemptOvertakenByAnotherWriterIsRefusedAndSaysSo() throws IOException {
        apache = ApacheServer.startWithoutLocks(root, Files.createDirectories(tmp.resolve("apache")));
        write(w -> w.store().publish(StoreFixtures.snapshot(inputs, "alpha")));
        try (RemoteStoreWriter late = RemoteStoreWriter.begin(
                apache.url(),
                HttpStoreSettings.defaults(),
                Files.createDirectories(tmp.resolve("mirror")),
                false,
                List.of(),
                false)) {
            write(w -> w.store().publish(StoreFixtures.snapshot(inputs, "beta")));
            late.store().publish(StoreFixtures.snapshot(inputs, "gamma"));
            assertThatThrownBy(late::commit)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("changed since this writer read it (HTTP 412 Precondition Failed")
                    .hasMessageContaining("this change is not in the registry");
        }
        assertThat(SnapshotStore.open(root).registry().snapshots())
                .extracting(SnapshotRecord::id)
                .hasSize(2)
                .noneMatch(id -> id.contains("gamma"));
    }

    @Test
    void whereApacheOffersALockTheWriterTakesIt() throws IOException {
        apache = ApacheServer.start(root, Files.createDirectories(tmp.resolve("apache")));
        String a = write(w -> {
            assertThat(w.guarding()).isEqualTo(RemoteStoreWriter.Guarding.LOCK);
            return w.store().publish(StoreFixtures.snapshot(inputs, "alpha")).id();
        });
        try (RemoteStoreWriter first = RemoteStoreWriter.begin(
                apache.url(),
                HttpStoreSettings.defaults(),
                Files.createDirectories(tmp.resolve("mirror")),
                false,
                List.of(a),
                false)) {
            assertThatThrownBy(() -> RemoteStoreWriter.begin(
                            apache.url(),
                            HttpStoreSettings.defaults(),
                            Files.createDirectories(tmp.resolve("mirror2")),
                            false,
                            List.of(),
                            false))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("another writer holds the lock");
            first.store().promoteStable(a, null);
            first.commit();
        }
        SnapshotStore served = SnapshotStore.open(root);
        assertThat(served.registry().stable()).isEqualTo(a);
        assertThat(served.history()).extracting(StoreRegistry::revision).containsExactly(1L, 2L);
    }
}
