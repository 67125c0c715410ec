package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving from a store: routing, hot switching, faults, automatic rollback, concurrency. */
class SnapshotManagerTest {
    @TempDir
    Path tmp;

    /** Records every event, for assertions. */
    static final class Events implements SnapshotEventListener {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void opened(String id) {
            log.add("opened " + id);
        }

        @Override
        public void switched(long from, long to, String stableId, Duration took) {
            log.add("switched " + from + "->" + to);
        }

        @Override
        public void rolledBack(String id, String reason) {
            log.add("rolledBack " + id + ": " + reason);
        }

        @Override
        public void failed(String what, Throwable error) {
            log.add("failed " + what + ": " + error.getMessage());
        }

        boolean any(String prefix) {
            return log.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    private final Events events = new Events();
    private final Map<String, String> labelOf = new ConcurrentHashMap<>();

    /** Options for tests that call refresh() themselves: no watcher activity to race with. */
    private ManagerOptions manual() {
        return StoreFixtures.manual().withListener(events);
    }

    private String publish(SnapshotStore store, String label) throws IOException {
        String id = store.publish(StoreFixtures.snapshot(tmp, label)).id();
        labelOf.put(id, label);
        return id;
    }

    private static String text(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    private static String version(SnapshotLease lease) {
        return text(lease.snapshot().entry("version.txt"));
    }

    /** A user whose key hashes into (or out of) a canary. */
    private static String userOn(Canary canary, boolean inside, int from) {
        for (int i = from; ; i++) {
            if (canary.covers(Routing.bucket("user-" + i)) == inside) {
                return "user-" + i;
            }
        }
    }

    @Test
    void servesStableAndCanariesAndPins() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        Canary canary = store.promoteCanary("canary", v2, CanaryRule.percent(30), Guard.DEFAULT)
                .canary("canary")
                .orElseThrow();
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            assertThat(manager.stableId()).isEqualTo(v1);
            assertThat(manager.channels()).isEqualTo(Map.of("stable", v1, "canary", v2));
            try (SnapshotLease lease = manager.select()) {
                assertThat(version(lease)).isEqualTo("v1");
                assertThat(lease.channel()).isEqualTo("stable");
            }
            try (SnapshotLease lease = manager.select(RequestContext.forUser(userOn(canary, true, 0)))) {
                assertThat(version(lease)).isEqualTo("v2");
                assertThat(lease.channel()).isEqualTo("canary");
            }
            try (SnapshotLease lease = manager.select(RequestContext.forUser(userOn(canary, false, 0)))) {
                assertThat(version(lease)).isEqualTo("v1");
            }
            try (SnapshotLease lease = manager.select(
                    RequestContext.forUser(userOn(canary, false, 0)).pinnedTo(v2))) {
                assertThat(version(lease)).isEqualTo("v2");
                assertThat(lease.channel()).isEqualTo("pinned");
            }
            assertThat(manager.metrics().selectionsByChannel())
                    .isEqualTo(Map.of("stable", 2L, "canary", 1L, "pinned", 1L));
        }
    }

    @Test
    void refusesAStoreWithNothingToServe() throws IOException {
        StoreException none = assertThatExceptionOfType(StoreException.class)
                .isThrownBy(() -> SnapshotManager.open(tmp, manual()))
                .actual();
        assertThat(none.getMessage()).contains("registry.json");
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        publish(store, "v1");
        StoreException e = assertThatExceptionOfType(StoreException.class)
                .isThrownBy(() -> SnapshotManager.open(store.directory(), manual()))
                .actual();
        assertThat(e.getMessage()).contains("no stable snapshot");
    }

    @Test
    void switchesByItselfWhenTheRegistryChanges() throws Exception {
        for (boolean watch : new boolean[] {true, false}) {
            Path dir = tmp.resolve("store-" + watch);
            SnapshotStore store = SnapshotStore.open(dir);
            String v1 = publish(store, "v1");
            String v2 = publish(store, "v2");
            store.promoteStable(v1, null);
            ManagerOptions options = ManagerOptions.defaults()
                    .withWatchService(watch)
                    .withPollInterval(Duration.ofMillis(watch ? 2000 : 50))
                    .withListener(events);
            try (SnapshotManager manager = SnapshotManager.open(dir, options)) {
                store.promoteStable(v2, null);
                StoreFixtures.await(
                        () -> manager.stableId().equals(v2), "the switch to v2 (watch service " + watch + ")");
                try (SnapshotLease lease = manager.select()) {
                    assertThat(version(lease)).isEqualTo("v2");
                }
                assertThat(manager.metrics().switches()).isEqualTo(2);
            }
        }
    }

    @Test
    void aLeaseKeepsItsSnapshotUntilItIsClosed() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            SnapshotLease held = manager.select();
            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isTrue();
            try (SnapshotLease fresh = manager.select()) {
                assertThat(version(fresh)).isEqualTo("v2");
            }
            // v1 is the previous stable now, kept for a rollback; after this promotion it is out of reach.
            store.promoteStable(v3, null);
            assertThat(manager.refresh()).isTrue();
            // The request that started on v1 still reads v1, whole.
            assertThat(version(held)).isEqualTo("v1");
            assertThat(text(held.snapshot().entry("payload.bin")).startsWith("v1|v1|"))
                    .isTrue();
            held.close();
            // Released after its last lease: the old snapshot is closed (on the manager's closer thread).
            StoreFixtures.await(() -> StoreFixtures.isClosed(held.snapshot()), "the old snapshot to be closed");
        }
    }

    @Test
    void aTruncatedSnapshotIsNeverSwappedIn() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            store.promoteStable(v2, null);
            Path file = store.snapshotFile(store.registry().snapshot(v2).orElseThrow());
            byte[] good = Files.readAllBytes(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(good.length - 1024);
            }
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.stableId()).as("the old snapshot keeps serving").isEqualTo(v1);
            try (SnapshotLease lease = manager.select()) {
                assertThat(version(lease)).isEqualTo("v1");
            }
            assertThat(manager.metrics().failedSwitches()).isEqualTo(1);
            assertThat(events.any("failed registry revision"))
                    .as(events.log.toString())
                    .isTrue();
            assertThat(events.log.stream().anyMatch(l -> l.contains(v2) && l.contains("cannot be opened")))
                    .as(events.log.toString())
                    .isTrue();
            // Retried on the next poll without repeating the report; served once the file is whole again.
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.metrics().failedSwitches()).isEqualTo(1);
            Files.write(file, good);
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.stableId()).isEqualTo(v2);
        }
    }

    /**
     * Events as {@link #events} records them, and truncates the file of {@code victim} right after it is mapped,
     * before it is verified: reading its pages then faults, which HotSpot reports as {@link InternalError} (or
     * the loader as a {@code SnapshotException}) — what another process truncating a file under a service does.
     */
    private SnapshotEventListener truncatingOnOpen(String victim, Path file) {
        return new SnapshotEventListener() {
            @Override
            public void opened(String id) {
                events.opened(id);
                if (id.equals(victim)) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.truncate(4096);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }

            @Override
            public void switched(long from, long to, String stableId, Duration took) {
                events.switched(from, to, stableId, took);
            }

            @Override
            public void failed(String what, Throwable error) {
                events.failed(what, error);
            }
        };
    }

    /** @return how many descriptors this process has open on {@code file} (Linux) */
    private static long openDescriptors(Path file) throws IOException {
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(real);
                        } catch (IOException e) {
                            return false; // closed meanwhile, or the listing's own descriptor
                        }
                    })
                    .count();
        }
    }

    @Test
    void aSnapshotThatFaultsWhileMappedIsReportedClosedAndTheWatcherCarriesOn() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc to see open files");
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        Path v2File = store.snapshotFile(store.registry().snapshot(v2).orElseThrow());
        // Nothing verified ahead: the fault must hit the switch itself (ahead, the store could not promote v2).
        ManagerOptions options = ManagerOptions.defaults()
                .withWatchService(false)
                .withPollInterval(Duration.ofMillis(20))
                .withListener(truncatingOnOpen(v2, v2File))
                .withPreverifyPublished(0);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), options)) {
            long revision = store.promoteStable(v2, null).revision();
            StoreFixtures.await(() -> events.any("failed registry revision " + revision), "the fault's report");
            assertThat(events.log.stream().filter(l -> l.startsWith("failed")).findFirst())
                    .hasValueSatisfying(l -> assertThat(l).contains(v2));
            assertThat(manager.stableId()).as("the old snapshot keeps serving").isEqualTo(v1);
            assertThat(openDescriptors(v2File))
                    .as("the faulted snapshot is closed")
                    .isZero();
            // The watcher survived: the next revision is applied by itself.
            store.promoteStable(v3, null);
            StoreFixtures.await(() -> manager.stableId().equals(v3), "the switch to v3 after the fault");
            try (SnapshotLease lease = manager.select()) {
                assertThat(version(lease)).isEqualTo("v3");
            }
        }
    }

    @Test
    void aStableSnapshotThatFaultsWhileMappedFailsTheOpenCleanly() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc to see open files");
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        Path file = store.snapshotFile(store.registry().snapshot(v1).orElseThrow());
        ManagerOptions options = manual().withListener(truncatingOnOpen(v1, file));
        assertThatThrownBy(() -> SnapshotManager.open(store.directory(), options))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(v1)
                .hasCauseInstanceOf(Throwable.class);
        assertThat(openDescriptors(file)).as("the faulted snapshot is closed").isZero();
    }

    @Test
    void aCorruptedEntryFailsVerificationAndIsNotSwappedIn() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            store.promoteCanary("canary", v2, CanaryRule.percent(100), null);
            Path file = store.snapshotFile(store.registry().snapshot(v2).orElseThrow());
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 1;
            Files.write(file, bytes);
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.channels()).isEqualTo(Map.of("stable", v1));
        }
    }

    @Test
    void aStoredFileHoldingAnotherSnapshotIsNotServed() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            store.promoteStable(v2, null);
            SnapshotRecord record = store.registry().snapshot(v2).orElseThrow();
            Files.copy(
                    store.snapshotFile(store.registry().snapshot(v3).orElseThrow()),
                    store.snapshotFile(record),
                    StandardCopyOption.REPLACE_EXISTING);
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.stableId()).isEqualTo(v1);
            assertThat(events.log)
                    .anySatisfy(l -> assertThat(l)
                            .startsWith("failed registry revision")
                            .contains("holds snapshot " + v3)
                            .contains("registry records " + v2 + " (content hash " + record.contentHash() + ")")
                            .contains("publish the original file of " + v2 + " again"));
        }
    }

    @Test
    void aRegistryNamingAMissingFileKeepsTheOldState() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            store.promoteStable(v2, null);
            Files.delete(store.snapshotFile(store.registry().snapshot(v2).orElseThrow()));
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.stableId()).isEqualTo(v1);
            assertThat(events.log.stream().anyMatch(l -> l.contains("NoSuchFile")))
                    .as(events.log.toString())
                    .isTrue();
        }
    }

    @Test
    void aMalformedRegistryKeepsTheOldState() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            Files.writeString(store.registryFile(), "{ this is not json");
            assertThat(manager.refresh()).isFalse();
            assertThat(manager.stableId()).isEqualTo(v1);
            try (SnapshotLease lease = manager.select()) {
                assertThat(version(lease)).isEqualTo("v1");
            }
            assertThat(events.log.stream().anyMatch(l -> l.contains("malformed")))
                    .as(events.log.toString())
                    .isTrue();
        }
    }

    @Test
    void aFailingCanaryIsDroppedAfterTheThresholdAndNotBefore() throws Exception {
        StoreFixtures.ManualClock clock = new StoreFixtures.ManualClock();
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        Guard guard = new Guard(0.10, Duration.ofMinutes(1), 100);
        Canary canary = store.promoteCanary("canary", v2, CanaryRule.percent(50), guard)
                .canary("canary")
                .orElseThrow();
        String canaryUser = userOn(canary, true, 0);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual().withClock(clock))) {
            // 89 successes and 10 failures: 99 requests, below the minimum, never trips.
            for (int i = 0; i < 89; i++) {
                try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                    lease.recordSuccess();
                }
            }
            for (int i = 0; i < 10; i++) {
                try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                    assertThat(lease.snapshotId()).isEqualTo(v2);
                    lease.recordFailure();
                }
            }
            // Failures that fell out of the window do not count: 10 old failures, then a fresh window.
            clock.advance(Duration.ofMinutes(2));
            for (int i = 0; i < 100; i++) {
                manager.recordSuccess(v2);
            }
            // 11 failures of 111 = 9.9%: at or below 10%, keeps serving.
            for (int i = 0; i < 11; i++) {
                manager.recordFailure(v2);
            }
            assertThat(manager.channels()).isEqualTo(Map.of("stable", v1, "canary", v2));
            try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                assertThat(lease.snapshotId()).isEqualTo(v2);
            }
            // The 12th failure (12 of 112 = 10.7%) trips: the very next request goes to stable.
            try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                lease.recordFailure();
            }
            try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                assertThat(lease.snapshotId()).isEqualTo(v1);
            }
            assertThat(manager.metrics().rollbacks()).isEqualTo(1);
            assertThat(events.any("rolledBack " + v2 + ": failure rate 10.71% (12 of 112"))
                    .as(events.log.toString())
                    .isTrue();
            // The registry records it, with the reason.
            StoreFixtures.await(
                    () -> statusOf(store, v2).equals(SnapshotRecord.ROLLED_BACK),
                    "the registry to record the rollback");
            SnapshotRecord record = store.registry().snapshot(v2).orElseThrow();
            assertThat(record.reason().startsWith("automatic rollback: failure rate"))
                    .as(record.reason())
                    .isTrue();
            assertThat(store.registry().canaries().isEmpty()).isTrue();
            // Applying that revision changes nothing for the service, and the canary stays out.
            manager.refresh();
            assertThat(manager.channels()).isEqualTo(Map.of("stable", v1));
        }
    }

    @Test
    void aGuardedStableFallsBackToThePreviousStable() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        store.promoteStable(v2, new Guard(0.5, Duration.ofMinutes(5), 10));
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            for (int i = 0; i < 9; i++) {
                assertThatThrownBy(() -> manager.call(RequestContext.ANONYMOUS, s -> {
                            throw new IllegalStateException("bad prompt");
                        }))
                        .isInstanceOf(IllegalStateException.class);
                assertThat(manager.stableId()).isEqualTo(v2);
            }
            assertThatThrownBy(() -> manager.call(RequestContext.ANONYMOUS, s -> {
                        throw new IllegalStateException("bad prompt");
                    }))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(manager.stableId()).as("fell back at the 10th failure").isEqualTo(v1);
            assertThat(manager.<String>call(RequestContext.ANONYMOUS, s -> text(s.entry("version.txt"))))
                    .isEqualTo("v1");
            StoreFixtures.await(() -> v1.equals(stableOf(store)), "the registry to record the fallback");
            StoreRegistry r = store.registry();
            assertThat(r.snapshot(v2).orElseThrow().status()).isEqualTo(SnapshotRecord.ROLLED_BACK);
            assertThat(r.stableGuard()).as("one automatic fallback at a time").isNull();
        }
    }

    @Test
    void whenTheRollbackCannotBeWrittenTheSnapshotStaysOutOfService() throws Exception {
        Path dir = tmp.resolve("store");
        SnapshotStore store = SnapshotStore.open(dir);
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        store.promoteCanary("canary", v2, CanaryRule.percent(100), new Guard(0.01, Duration.ofMinutes(1), 1));
        SnapshotStore diskFull = new SnapshotStore(
                dir,
                (target, content) -> {
                    throw new IOException("No space left on device");
                },
                java.time.Clock.systemUTC());
        try (SnapshotManager manager = SnapshotManager.open(diskFull, manual())) {
            manager.recordFailure(v2);
            assertThat(manager.channels()).isEqualTo(Map.of("stable", v1));
            StoreFixtures.await(
                    () -> events.any("failed cannot record the rollback of " + v2), "the failed write to be reported");
            assertThat(statusOf(store, v2)).isEqualTo(SnapshotRecord.CANARY);
            // An unrelated change arrives: the registry still lists v2 as canary, the service keeps it out.
            store.promoteCanary("canary-b", v3, CanaryRule.percent(0), null);
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.channels()).isEqualTo(Map.of("stable", v1, "canary-b", v3));
        }
    }

    @Test
    void manyReadersNeverSeeATornSnapshotWhileItSwitches() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ids.add(publish(store, "v" + i));
        }
        store.promoteStable(ids.get(0), null);
        ManagerOptions options =
                ManagerOptions.defaults().withPollInterval(Duration.ofMillis(5)).withWatchService(false);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), options)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            AtomicLong maxNanos = new AtomicLong();
            List<String> errors = new CopyOnWriteArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int n = t;
                Thread reader = new Thread(() -> {
                    int i = 0;
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try (SnapshotLease lease = manager.select(RequestContext.forUser("u" + n + "-" + i++))) {
                            String label = version(lease);
                            String payload = text(lease.snapshot().entry("payload.bin"));
                            String expected = labelOf.get(lease.snapshotId());
                            if (!label.equals(expected)
                                    || !payload.startsWith(expected + "|")
                                    || !payload.endsWith(expected + "|")) {
                                errors.add("torn read: lease " + lease.snapshotId() + " read " + label);
                            }
                            lease.recordSuccess();
                        } catch (RuntimeException e) {
                            errors.add(e.toString());
                        }
                        maxNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                        reads.incrementAndGet();
                    }
                });
                reader.start();
                readers.add(reader);
            }
            for (int round = 0; round < 40; round++) {
                String next = ids.get(round % ids.size());
                String canary = ids.get((round + 1) % ids.size());
                if (round % 5 == 4) {
                    store.rollback();
                } else {
                    store.promoteStable(next, null);
                    store.promoteCanary("canary", canary, CanaryRule.percent(round % 100), null);
                }
                if (round % 2 == 0) {
                    manager.refresh(); // the watcher applies the rest
                }
                Thread.sleep(5);
            }
            long switches = manager.metrics().switches();
            stop.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(errors).isEqualTo(List.of());
            assertThat(reads.get() > 1000).as("readers ran: " + reads.get()).isTrue();
            assertThat(switches > 10)
                    .as("the state switched while they read: " + switches)
                    .isTrue();
            // Generous bound: a reader never waits on a switch (which maps and verifies whole snapshots).
            assertThat(maxNanos.get() < TimeUnit.SECONDS.toNanos(2))
                    .as("slowest read " + maxNanos.get() / 1e6 + " ms")
                    .isTrue();
        }
    }

    @Test
    void closedManagerRefusesAndMetricsAreOnJmx() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        SnapshotManager manager = SnapshotManager.open(store.directory(), manual().withMBean(true));
        SnapshotLease lease = manager.select();
        lease.recordSuccess();
        ObjectName name = new ObjectName("dev.warmstart.snapshot:type=SnapshotManager,store="
                + ObjectName.quote(store.directory().toString()));
        var server = ManagementFactory.getPlatformMBeanServer();
        assertThat(server.getAttribute(name, "StableSnapshotId")).isEqualTo(v1);
        assertThat(server.getAttribute(name, "Selections")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "Successes")).isEqualTo(1L);
        manager.close();
        assertThat(server.isRegistered(name)).isFalse();
        assertThatThrownBy(manager::select).isInstanceOf(IllegalStateException.class);
        assertThat(version(lease)).as("a lease taken before close still reads").isEqualTo("v1");
        lease.close();
        // Closed on the manager's closer thread, soon after the last lease, not during its release.
        StoreFixtures.await(() -> StoreFixtures.isClosed(lease.snapshot()), "the snapshot to be closed");
        manager.close();
    }

    private static String statusOf(SnapshotStore store, String id) {
        try {
            return store.registry().snapshot(id).orElseThrow().status();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String stableOf(SnapshotStore store) {
        try {
            return store.registry().stable();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
