package dev.warmstart.snapshot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.function.BooleanSupplier;
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
        return ManagerOptions.defaults()
                .withPollInterval(Duration.ofHours(1))
                .withWatchService(false)
                .withListener(events);
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

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
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
            assertEquals(v1, manager.stableId());
            assertEquals(Map.of("stable", v1, "canary", v2), manager.channels());
            try (SnapshotLease lease = manager.select()) {
                assertEquals("v1", version(lease));
                assertEquals("stable", lease.channel());
            }
            try (SnapshotLease lease = manager.select(RequestContext.forUser(userOn(canary, true, 0)))) {
                assertEquals("v2", version(lease));
                assertEquals("canary", lease.channel());
            }
            try (SnapshotLease lease = manager.select(RequestContext.forUser(userOn(canary, false, 0)))) {
                assertEquals("v1", version(lease));
            }
            try (SnapshotLease lease = manager.select(
                    RequestContext.forUser(userOn(canary, false, 0)).pinnedTo(v2))) {
                assertEquals("v2", version(lease));
                assertEquals("pinned", lease.channel());
            }
            assertEquals(
                    Map.of("stable", 2L, "canary", 1L, "pinned", 1L),
                    manager.metrics().selectionsByChannel());
        }
    }

    @Test
    void refusesAStoreWithNothingToServe() throws IOException {
        StoreException none = assertThrows(StoreException.class, () -> SnapshotManager.open(tmp, manual()));
        assertTrue(none.getMessage().contains("registry.json"), none.getMessage());
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        publish(store, "v1");
        StoreException e = assertThrows(StoreException.class, () -> SnapshotManager.open(store.directory(), manual()));
        assertTrue(e.getMessage().contains("no stable snapshot"), e.getMessage());
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
                await(() -> manager.stableId().equals(v2), "the switch to v2 (watch service " + watch + ")");
                try (SnapshotLease lease = manager.select()) {
                    assertEquals("v2", version(lease));
                }
                assertEquals(2, manager.metrics().switches());
            }
        }
    }

    @Test
    void aLeaseKeepsItsSnapshotUntilItIsClosed() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            SnapshotLease held = manager.select();
            store.promoteStable(v2, null);
            assertTrue(manager.refresh());
            try (SnapshotLease fresh = manager.select()) {
                assertEquals("v2", version(fresh));
            }
            // The request that started on v1 still reads v1, whole.
            assertEquals("v1", version(held));
            assertTrue(text(held.snapshot().entry("payload.bin")).startsWith("v1|v1|"));
            held.close();
            // Released after its last lease: the old snapshot is closed now.
            assertThrows(IllegalStateException.class, () -> held.snapshot().entry("version.txt"));
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
            assertFalse(manager.refresh());
            assertEquals(v1, manager.stableId(), "the old snapshot keeps serving");
            try (SnapshotLease lease = manager.select()) {
                assertEquals("v1", version(lease));
            }
            assertEquals(1, manager.metrics().failedSwitches());
            assertTrue(events.any("failed registry revision"), events.log.toString());
            assertTrue(
                    events.log.stream().anyMatch(l -> l.contains(v2) && l.contains("cannot be opened")),
                    events.log.toString());
            // Retried on the next poll without repeating the report; served once the file is whole again.
            assertFalse(manager.refresh());
            assertEquals(1, manager.metrics().failedSwitches());
            Files.write(file, good);
            assertTrue(manager.refresh());
            assertEquals(v2, manager.stableId());
        }
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
            assertFalse(manager.refresh());
            assertEquals(Map.of("stable", v1), manager.channels());
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
            assertFalse(manager.refresh());
            assertEquals(v1, manager.stableId());
            assertTrue(events.log.stream().anyMatch(l -> l.contains("NoSuchFile")), events.log.toString());
        }
    }

    @Test
    void aMalformedRegistryKeepsTheOldState() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            Files.writeString(store.registryFile(), "{ this is not json");
            assertFalse(manager.refresh());
            assertEquals(v1, manager.stableId());
            try (SnapshotLease lease = manager.select()) {
                assertEquals("v1", version(lease));
            }
            assertTrue(events.log.stream().anyMatch(l -> l.contains("malformed")), events.log.toString());
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
                    assertEquals(v2, lease.snapshotId());
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
            assertEquals(Map.of("stable", v1, "canary", v2), manager.channels());
            try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                assertEquals(v2, lease.snapshotId());
            }
            // The 12th failure (12 of 112 = 10.7%) trips: the very next request goes to stable.
            try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                lease.recordFailure();
            }
            try (SnapshotLease lease = manager.select(RequestContext.forUser(canaryUser))) {
                assertEquals(v1, lease.snapshotId());
            }
            assertEquals(1, manager.metrics().rollbacks());
            assertTrue(events.any("rolledBack " + v2 + ": failure rate 10.71% (12 of 112"), events.log.toString());
            // The registry records it, with the reason.
            await(() -> statusOf(store, v2).equals(SnapshotRecord.ROLLED_BACK), "the registry to record the rollback");
            SnapshotRecord record = store.registry().snapshot(v2).orElseThrow();
            assertTrue(record.reason().startsWith("automatic rollback: failure rate"), record.reason());
            assertTrue(store.registry().canaries().isEmpty());
            // Applying that revision changes nothing for the service, and the canary stays out.
            manager.refresh();
            assertEquals(Map.of("stable", v1), manager.channels());
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
                assertThrows(
                        IllegalStateException.class,
                        () -> manager.call(RequestContext.ANONYMOUS, s -> {
                            throw new IllegalStateException("bad prompt");
                        }));
                assertEquals(v2, manager.stableId());
            }
            assertThrows(
                    IllegalStateException.class,
                    () -> manager.call(RequestContext.ANONYMOUS, s -> {
                        throw new IllegalStateException("bad prompt");
                    }));
            assertEquals(v1, manager.stableId(), "fell back at the 10th failure");
            assertEquals("v1", manager.call(RequestContext.ANONYMOUS, s -> text(s.entry("version.txt"))));
            await(() -> v1.equals(stableOf(store)), "the registry to record the fallback");
            StoreRegistry r = store.registry();
            assertEquals(
                    SnapshotRecord.ROLLED_BACK, r.snapshot(v2).orElseThrow().status());
            assertEquals(null, r.stableGuard(), "one automatic fallback at a time");
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
            assertEquals(Map.of("stable", v1), manager.channels());
            await(() -> events.any("failed cannot record the rollback of " + v2), "the failed write to be reported");
            assertEquals(SnapshotRecord.CANARY, statusOf(store, v2));
            // An unrelated change arrives: the registry still lists v2 as canary, the service keeps it out.
            store.promoteCanary("canary-b", v3, CanaryRule.percent(0), null);
            assertTrue(manager.refresh());
            assertEquals(Map.of("stable", v1, "canary-b", v3), manager.channels());
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
            assertEquals(List.of(), errors);
            assertTrue(reads.get() > 1000, "readers ran: " + reads.get());
            assertTrue(switches > 10, "the state switched while they read: " + switches);
            // Generous bound: a reader never waits on a switch (which maps and verifies whole snapshots).
            assertTrue(maxNanos.get() < TimeUnit.SECONDS.toNanos(2), "slowest read " + maxNanos.get() / 1e6 + " ms");
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
        assertEquals(v1, server.getAttribute(name, "StableSnapshotId"));
        assertEquals(1L, server.getAttribute(name, "Selections"));
        assertEquals(1L, server.getAttribute(name, "Successes"));
        manager.close();
        assertFalse(server.isRegistered(name));
        assertThrows(IllegalStateException.class, manager::select);
        assertEquals("v1", version(lease), "a lease taken before close still reads");
        lease.close();
        assertThrows(IllegalStateException.class, () -> lease.snapshot().entry("version.txt"));
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
