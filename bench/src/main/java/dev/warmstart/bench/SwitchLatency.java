package dev.warmstart.bench;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.store.Guard;
import dev.warmstart.snapshot.store.ManagerOptions;
import dev.warmstart.snapshot.store.RequestContext;
import dev.warmstart.snapshot.store.SnapshotEventListener;
import dev.warmstart.snapshot.store.SnapshotLease;
import dev.warmstart.snapshot.store.SnapshotManager;
import dev.warmstart.snapshot.store.SnapshotRecord;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Hot-switch cost, per shape: the time from a registry change (the rename of a new {@code registry.json} into the
 * store) to the first request served by the new snapshot, with the watcher (WatchService) and with
 * {@code refresh()}; and the latency of reader threads (select + render + close) while nothing happens vs while
 * the store switches back and forth. Snapshot B is published before the manager opens, so the manager verifies it
 * in the background ahead of any promotion ({@code verifiedAheadMs}: the cost moved off the switch path); the
 * switches then alternate between a promotion of B and a rollback to A, the previous stable. The registries are
 * written directly (what a replica sees when a pipeline promotes elsewhere), so no store-side verification runs in
 * this process while the readers are measured. Writes one JSON document to the file given as first argument; the
 * other arguments name the shapes (default: all three).
 */
public final class SwitchLatency {
    /** Half promotions, half rollbacks: 20 of each, so a median is not one of two modes by chance. */
    private static final int SWITCHES = 40;
    /** Between two registry changes, so the readers run through many switches, not one burst. */
    private static final long PAUSE_MILLIS = 100;
    /** Switches that verify on the switch path, as every switch did before verification ahead. */
    private static final int COLD_SWITCHES = 6;
    /** Automatic rollbacks per way of reporting the failure (inside the request's lease, and after it). */
    private static final int TRIPS = 20;
    /**
     * Times watcher switches the way rounds two to four did, for comparison: this thread spins on {@code select()}
     * until it is served by the new snapshot, a third thread that never sleeps beside the readers
     * ({@code -Dbench.switch.spinningTimer=true}).
     */
    private static final boolean SPINNING_TIMER = Boolean.getBoolean("bench.switch.spinningTimer");
    /** Trips at the first failure: the failing request is the one that takes B out of service. */
    private static final Guard FIRST_FAILURE = new Guard(0, Duration.ofMinutes(5), 1);

    private SwitchLatency() {}

    public static void main(String[] args) throws Exception {
        List<Shapes> shapes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            shapes.add(Shapes.of(args[i]));
        }
        if (shapes.isEmpty()) {
            shapes = List.of(Shapes.MIX, Shapes.S100MIB_10K, Shapes.S1GIB_100K);
        }
        List<String> rows = new ArrayList<>();
        for (Shapes shape : shapes) {
            rows.add(measure(shape));
        }
        String json = "[\n" + String.join(",\n", rows) + "\n]\n";
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), json);
        }
        System.out.print(json);
    }

    private static String measure(Shapes shape) throws Exception {
        Path work = Files.createTempDirectory(shape.snapshot().getParent(), "switch-");
        try {
            return measure(shape, work);
        } finally {
            try (var files = Files.walk(work)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String measure(Shapes shape, Path work) throws Exception {
        Path a = shape.snapshot();
        Path b = variant(a, work.resolve("b.tar"));
        SnapshotStore store = SnapshotStore.open(work.resolve("store"));
        String idA = store.publish(a).id();
        String idB = store.publish(b).id();
        Files.delete(b);
        store.promoteStable(idA, null);
        Registries registries = new Registries(store, work, idA, idB);
        if (Boolean.getBoolean("bench.switch.tripsOnly")) { // for comparing two loaders quickly
            String row = String.format(
                    Locale.ROOT,
                    "  {\"shape\": \"%s\", \"automaticRollback\": %s}",
                    shape.label(),
                    trips(store, registries, idA, idB).json());
            System.err.println(row);
            return row;
        }

        long[] promoted = new long[SWITCHES / 2];
        long[] rolledBack = new long[SWITCHES / 2];
        boolean[] promotedGc = new boolean[SWITCHES / 2];
        boolean[] rolledBackGc = new boolean[SWITCHES / 2];
        long[] applied = new long[SWITCHES];
        long[] refreshed = new long[SWITCHES];
        int[] switchesWithGc = {0};
        Readers quiet;
        Readers busy;
        VerifiedAhead verifiedB = new VerifiedAhead(idB);
        ManagerOptions watching = ManagerOptions.defaults()
                .withPollInterval(Duration.ofSeconds(1))
                .withListener(verifiedB);
        long verifiedAhead;
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), watching)) {
            verifiedB.await();
            verifiedAhead = manager.metrics().lastVerifyNanos();
            quiet = Readers.run(manager, 3000, () -> {});
            FirstServed first = new FirstServed();
            busy = Readers.run(manager, 0, first, () -> {
                for (int i = 0; i < SWITCHES; i++) {
                    String next = i % 2 == 0 ? idB : idA;
                    long collections = collections();
                    first.watch(next);
                    long t0 = registries.switchTo(next);
                    long took;
                    if (SPINNING_TIMER) {
                        while (!served(manager, next)) {
                            Thread.onSpinWait();
                        }
                        took = System.nanoTime() - t0;
                        first.stop();
                    } else {
                        took = first.await() - t0;
                    }
                    boolean gc = collections() != collections;
                    if (gc) {
                        switchesWithGc[0]++;
                    }
                    (i % 2 == 0 ? promoted : rolledBack)[i / 2] = took;
                    (i % 2 == 0 ? promotedGc : rolledBackGc)[i / 2] = gc;
                    applied[i] = manager.metrics().lastSwitchNanos();
                    pause();
                }
            });
        }
        if (Boolean.getBoolean("bench.switch.watcherOnly")) { // for comparing two loaders' watchers quickly
            String row = String.format(
                    Locale.ROOT,
                    "  {\"shape\": \"%s\", \"switchesWithGc\": %d,%n"
                            + "   \"promoteToFirstRequestMs\": %s,%n   \"rollbackToFirstRequestMs\": %s,%n"
                            + "   \"promoteToFirstRequestWithoutGcMs\": %s,%n"
                            + "   \"rollbackToFirstRequestWithoutGcMs\": %s,%n"
                            + "   \"applyMs\": %s,%n   \"readerDuringSwitches\": %s}",
                    shape.label(),
                    switchesWithGc[0],
                    stats(promoted),
                    stats(rolledBack),
                    stats(without(promoted, promotedGc)),
                    stats(without(rolledBack, rolledBackGc)),
                    stats(applied),
                    busy.json());
            System.err.println(row);
            return row;
        }
        verifiedB.rearm();
        ManagerOptions manual = ManagerOptions.defaults()
                .withPollInterval(Duration.ofHours(1))
                .withWatchService(false)
                .withListener(verifiedB);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual)) {
            verifiedB.await();
            for (int i = 0; i < SWITCHES; i++) {
                String next = manager.stableId().equals(idA) ? idB : idA;
                long t0 = registries.switchTo(next);
                manager.refresh();
                if (!served(manager, next)) {
                    throw new IllegalStateException("refresh did not switch");
                }
                refreshed[i] = System.nanoTime() - t0;
            }
        }
        // Before verification ahead, for comparison in the same run: nothing published kept verified, no previous
        // stable in the registry, so every switch maps and fully verifies its snapshot on the switch path.
        long[] cold = new long[COLD_SWITCHES];
        ManagerOptions coldOptions = manual.withPreverifyPublished(0);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), coldOptions)) {
            for (int i = 0; i < COLD_SWITCHES; i++) {
                String next = manager.stableId().equals(idA) ? idB : idA;
                long t0 = registries.switchTo(next, false);
                manager.refresh();
                if (!served(manager, next)) {
                    throw new IllegalStateException("refresh did not switch");
                }
                cold[i] = System.nanoTime() - t0;
            }
        }
        Trips trips = trips(store, registries, idA, idB);
        String row = String.format(
                Locale.ROOT,
                "  {\"shape\": \"%s\", \"snapshotBytes\": %d, \"readers\": %d, \"switches\": %d,"
                        + " \"switchesWithGc\": %d,"
                        + " \"verifiedAheadMs\": %.1f,%n"
                        + "   \"promoteToFirstRequestMs\": %s,%n   \"rollbackToFirstRequestMs\": %s,%n"
                        + "   \"promoteToFirstRequestWithoutGcMs\": %s,%n"
                        + "   \"rollbackToFirstRequestWithoutGcMs\": %s,%n"
                        + "   \"applyMs\": %s,%n   \"refreshToFirstRequestMs\": %s,%n"
                        + "   \"refreshVerifyingOnTheSwitchMs\": %s,%n"
                        + "   \"readerQuiet\": %s,%n   \"readerDuringSwitches\": %s,%n"
                        + "   \"automaticRollback\": %s}",
                shape.label(),
                Files.size(a),
                Readers.THREADS,
                SWITCHES,
                switchesWithGc[0],
                verifiedAhead / 1e6,
                stats(promoted),
                stats(rolledBack),
                stats(without(promoted, promotedGc)),
                stats(without(rolledBack, rolledBackGc)),
                stats(applied),
                stats(refreshed),
                stats(cold),
                quiet.json(),
                busy.json(),
                trips.json());
        System.err.println(row);
        return row;
    }

    /**
     * Per way of reporting: report → first request served by A (any thread: a reader or the reporting one), report →
     * the reporting thread's own next request on A, the {@code recordFailure} call, the lease's close.
     */
    record Trips(
            long[][] toFirstRequest,
            long[][] toReportersNext,
            long[][] report,
            long[][] leaseClose,
            int tripsWithGc,
            Readers readers) {
        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"trips\": %d, \"tripsWithGc\": %d,%n"
                            + "     \"reportedInTheLease\": {\"toFirstRequestMs\": %s,%n"
                            + "       \"toReportersNextRequestMs\": %s,%n"
                            + "       \"recordFailureMs\": %s, \"leaseCloseMs\": %s},%n"
                            + "     \"reportedAfterTheLease\": {\"toFirstRequestMs\": %s,%n"
                            + "       \"toReportersNextRequestMs\": %s,%n"
                            + "       \"recordFailureMs\": %s},%n"
                            + "     \"readerDuringTrips\": %s}",
                    2 * TRIPS,
                    tripsWithGc,
                    stats(toFirstRequest[0]),
                    stats(toReportersNext[0]),
                    stats(report[0]),
                    stats(leaseClose[0]),
                    stats(toFirstRequest[1]),
                    stats(toReportersNext[1]),
                    stats(report[1]),
                    readers.json());
        }
    }

    /**
     * Automatic rollback, with the readers running: B is promoted with a guard that trips at the first failure (A
     * the previous stable), and a request on B reports a failure through the public API, as a service does:
     * {@code lease.recordFailure()} before closing its lease (the documented way), or
     * {@code manager.recordFailure(id)} after it (an outcome known only later). Timed from just before that call to
     * the first request the same thread gets served by A. Between trips, the rollback is recorded in the registry
     * (the manager's own write), B is published again and verified ahead, and promoted again with its guard.
     */
    private static Trips trips(SnapshotStore store, Registries registries, String idA, String idB) throws Exception {
        long[][] toFirst = new long[2][TRIPS];
        long[][] reporter = new long[2][TRIPS];
        long[][] report = new long[2][TRIPS];
        long[][] leaseClose = new long[2][TRIPS];
        int[] withGc = {0};
        VerifiedAhead verifiedB = new VerifiedAhead(idB);
        registries.switchTo(idA); // A stable, B published: verified ahead once the manager opens
        ManagerOptions watching = ManagerOptions.defaults()
                .withPollInterval(Duration.ofSeconds(1))
                .withListener(verifiedB);
        Readers readers;
        FirstServed first = new FirstServed();
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), watching)) {
            readers = Readers.run(manager, 0, first, () -> {
                try {
                    for (int i = 0; i < 2 * TRIPS; i++) {
                        int way = i % 2;
                        verifiedB.await();
                        first.watch(idB);
                        registries.promoteGuarded(idB, FIRST_FAILURE);
                        first.await();
                        pause();
                        long collections = collections();
                        long t0;
                        long t1;
                        long t2;
                        SnapshotLease lease = manager.select();
                        if (!lease.snapshotId().equals(idB)) {
                            throw new IllegalStateException("B is not serving");
                        }
                        first.watch(idA);
                        if (way == 0) {
                            t0 = System.nanoTime();
                            lease.recordFailure();
                            t1 = System.nanoTime();
                            lease.close();
                            t2 = System.nanoTime();
                        } else {
                            lease.close();
                            t0 = System.nanoTime();
                            manager.recordFailure(idB);
                            t1 = System.nanoTime();
                            t2 = t1;
                        }
                        // The reporter's own next request, by definition on this thread. The rollback swapped inside
                        // the call above, on this thread, so its first select is served by A: the loop is a check.
                        while (!served(manager, idA)) {
                            Thread.onSpinWait();
                        }
                        long t3 = System.nanoTime();
                        long byReader = first.stop();
                        if (collections() != collections) {
                            withGc[0]++;
                        }
                        toFirst[way][i / 2] = (byReader != 0 && byReader < t3 ? byReader : t3) - t0;
                        reporter[way][i / 2] = t3 - t0;
                        report[way][i / 2] = t1 - t0;
                        leaseClose[way][i / 2] = t2 - t1;
                        // The manager records the rollback in the registry on its own thread; then B is published
                        // again (and verified ahead again: the rollback released it) for the next trip.
                        verifiedB.rearm();
                        awaitStatus(store, idB, SnapshotRecord.ROLLED_BACK);
                        registries.switchTo(idA);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }
        return new Trips(toFirst, reporter, report, leaseClose, withGc[0], readers);
    }

    private static void awaitStatus(SnapshotStore store, String id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                if (store.registry().snapshot(id).orElseThrow().status().equals(status)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // a registry read racing the manager's write: read again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(id + " did not become " + status + " in the registry");
            }
            Thread.sleep(5);
        }
    }

    /** Counts down when snapshot B has been verified ahead; re-armed before each time B is published again. */
    private static final class VerifiedAhead implements SnapshotEventListener {
        private final String idB;
        private volatile CountDownLatch latch = new CountDownLatch(1);

        VerifiedAhead(String idB) {
            this.idB = idB;
        }

        @Override
        public void verified(String snapshotId, Duration took) {
            if (snapshotId.equals(idB)) {
                latch.countDown();
            }
        }

        void rearm() {
            latch = new CountDownLatch(1);
        }

        void await() throws InterruptedException {
            if (!latch.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("B was not verified ahead within 5 minutes");
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes registry revisions straight into the store, as a pipeline elsewhere would: stable B with A as the
     * previous stable (a promotion), or stable A with B published again (a rollback).
     */
    static final class Registries {
        private final SnapshotStore store;
        private final Path temp;
        private final String idA;
        private final String idB;

        Registries(SnapshotStore store, Path work, String idA, String idB) {
            this.store = store;
            this.temp = work.resolve("registry.json.next");
            this.idA = idA;
            this.idB = idB;
        }

        /** @return {@link System#nanoTime()} just before the new registry was renamed into place */
        long switchTo(String id) {
            return switchTo(id, true);
        }

        /** Stable {@code id} under {@code guard}, A the previous stable: what a guarded promotion writes. */
        long promoteGuarded(String id, Guard guard) {
            return write(id, guard, List.of(idA));
        }

        /** With {@code keepPrevious} false, the registry lists no previous stable (nothing to keep for rollback). */
        long switchTo(String id, boolean keepPrevious) {
            return write(id, null, id.equals(idB) && keepPrevious ? List.of(idA) : List.of());
        }

        private long write(String id, Guard guard, List<String> previous) {
            try {
                StoreRegistry r = store.registry();
                boolean promote = id.equals(idB);
                List<SnapshotRecord> records = new ArrayList<>();
                for (SnapshotRecord s : r.snapshots()) {
                    String status = s.id().equals(id)
                            ? SnapshotRecord.STABLE
                            : promote ? SnapshotRecord.RETIRED : SnapshotRecord.PUBLISHED;
                    records.add(s.withStatus(status, "bench", r.updated()));
                }
                StoreRegistry next = new StoreRegistry(
                        r.revision() + 1,
                        r.updated(),
                        promote ? "promote " + id : "rollback to " + id,
                        records,
                        id,
                        guard,
                        previous,
                        List.of());
                Files.writeString(temp, next.toJson());
                long t0 = System.nanoTime();
                Files.move(temp, store.registryFile(), StandardCopyOption.ATOMIC_MOVE);
                return t0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static boolean served(SnapshotManager manager, String id) {
        try (SnapshotLease lease = manager.select()) {
            return lease.snapshotId().equals(id);
        }
    }

    /** The same snapshot with one more entry: another id, the same size. */
    private static Path variant(Path source, Path target) throws IOException {
        try (Snapshot s = Snapshot.open(source);
                SnapshotWriter w = SnapshotWriter.create(target)) {
            for (SnapshotEntry e : s.entries()) {
                if (e.name().startsWith(".warmstart/")) {
                    continue;
                }
                ByteBuffer data = s.entry(e.name());
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                w.addEntry(e.name(), e.kind(), bytes);
            }
            w.addEntry("variant.txt", SnapshotFormat.KIND_FILE, "b".getBytes(StandardCharsets.UTF_8));
            w.finish(Instant.parse("2026-11-02T00:00:00Z"), "warmstart-bench", "0", Map.of());
        }
        return target;
    }

    /** @return the samples whose flag is false: the switches no garbage collection fell into */
    private static long[] without(long[] nanos, boolean[] flagged) {
        long[] kept = new long[nanos.length];
        int n = 0;
        for (int i = 0; i < nanos.length; i++) {
            if (!flagged[i]) {
                kept[n++] = nanos[i];
            }
        }
        return Arrays.copyOf(kept, n);
    }

    static String stats(long[] nanos) {
        if (nanos.length == 0) {
            return "null";
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(
                Locale.ROOT,
                "{\"median\": %.3f, \"min\": %.3f, \"p90\": %.3f, \"max\": %.3f}",
                s[s.length / 2] / 1e6,
                s[0] / 1e6,
                s[(int) Math.ceil(0.9 * s.length) - 1] / 1e6,
                s[s.length - 1] / 1e6);
    }

    /** @return garbage collections so far: a switch timed across one says so ({@code switchesWithGc}) */
    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /**
     * When any request was first served by a snapshot, once {@link #watch armed}: one volatile read otherwise. The
     * thread that armed it waits {@link #await parked}, woken by the reader that saw the snapshot first, instead of
     * spinning on {@code select()} itself: a third thread that never sleeps would take, on a 2-core machine, the
     * core the manager's watcher needs to make the switch it is timing.
     */
    static final class FirstServed {
        /** A switch not served within this long is a failure of the benchmark, not a sample. */
        private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

        private volatile String id;
        private volatile Thread waiter;
        private final java.util.concurrent.atomic.AtomicLong at = new java.util.concurrent.atomic.AtomicLong();

        void watch(String snapshotId) {
            at.set(0);
            waiter = Thread.currentThread();
            id = snapshotId;
        }

        void served(String snapshotId) {
            String watched = id;
            if (watched != null && watched.equals(snapshotId) && at.get() == 0) {
                if (at.compareAndSet(0, System.nanoTime())) {
                    LockSupport.unpark(waiter); // after the time is taken: the wake-up is not part of it
                }
            }
        }

        /** @return when a request was first served by the watched snapshot; stops watching */
        long await() {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (at.get() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no request was served by " + id + " within 30 s");
                }
                LockSupport.parkNanos(this, left);
            }
            return stop();
        }

        /** @return when it was first served since {@link #watch}, or 0; stops watching */
        long stop() {
            id = null;
            return at.get();
        }
    }

    /**
     * Reader threads ({@link #THREADS}) that select, render and release as fast as they can until stopped, counting each latency
     * in a histogram (10 ns buckets up to 100 us; longer ones are kept exactly). A histogram, not an array of
     * samples, so the readers keep running however long the switches take: with a fixed array they stopped once it
     * was full, and the last switches of a run were then timed with no reader running.
     */
    static final class Readers {
        /**
         * Two by default: two threads that never sleep on the 2 vCPUs the benchmark machine has, so every wake-up on
         * the switch path has to take a core from one of them (the thread timing a switch sleeps until a reader is
         * served by the new snapshot). {@code -Dbench.switch.readers=1} leaves one core for the manager's own
         * threads, the load of a service not running flat out (run-all.sh runs both).
         */
        static final int THREADS = Integer.getInteger("bench.switch.readers", 2);

        private static final int NANOS_PER_BUCKET = 10;
        private static final int BUCKETS = 10_000;

        final long[] counts;
        final long[] slow;
        final long count;

        Readers(long[] counts, long[] slow) {
            this.counts = counts;
            this.slow = slow;
            long n = slow.length;
            for (long c : counts) {
                n += c;
            }
            this.count = n;
        }

        static Readers run(SnapshotManager manager, long millis, Runnable during) throws InterruptedException {
            return run(manager, millis, new FirstServed(), during);
        }

        /** As {@link #run(SnapshotManager, long, Runnable)}, the readers telling {@code first} what they were served. */
        static Readers run(SnapshotManager manager, long millis, FirstServed first, Runnable during)
                throws InterruptedException {
            AtomicBoolean stop = new AtomicBoolean();
            long[][] counts = new long[THREADS][BUCKETS];
            long[][] slow = new long[THREADS][];
            Thread[] threads = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++) {
                int n = t;
                threads[t] = new Thread(() -> {
                    long[] c = counts[n];
                    long[] s = new long[1024];
                    int slowCount = 0;
                    int i = 0;
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        try (SnapshotLease lease = manager.select(RequestContext.forUser("u" + (i & 1023)))) {
                            first.served(lease.snapshotId());
                            lease.snapshot().prompt(Shapes.RENDER_PROMPT).render(Shapes.RENDER_VALUES);
                            lease.recordSuccess();
                        }
                        long took = System.nanoTime() - t0;
                        i++;
                        if (took < (long) BUCKETS * NANOS_PER_BUCKET) {
                            c[(int) (took / NANOS_PER_BUCKET)]++;
                        } else {
                            if (slowCount == s.length) {
                                s = Arrays.copyOf(s, s.length * 2);
                            }
                            s[slowCount++] = took;
                        }
                    }
                    slow[n] = Arrays.copyOf(s, slowCount);
                });
                threads[t].start();
            }
            Thread.sleep(millis);
            during.run();
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            long[] all = new long[BUCKETS];
            for (int b = 0; b < BUCKETS; b++) {
                for (long[] c : counts) {
                    all[b] += c[b];
                }
            }
            int slowCount = 0;
            for (long[] one : slow) {
                slowCount += one.length;
            }
            long[] longer = new long[slowCount];
            int at = 0;
            for (long[] one : slow) {
                System.arraycopy(one, 0, longer, at, one.length);
                at += one.length;
            }
            Arrays.sort(longer);
            return new Readers(all, longer);
        }

        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"requests\": %d, \"p50us\": %.2f, \"p99us\": %.2f, \"p999us\": %.2f," + " \"maxUs\": %.1f}",
                    count,
                    at(0.5),
                    at(0.99),
                    at(0.999),
                    at(1.0));
        }

        /** @return the latency at quantile {@code q} in microseconds (a bucket's lower bound below 100 us) */
        private double at(double q) {
            long rank = Math.min(count - 1, (long) Math.floor(q * count));
            long seen = 0;
            for (int b = 0; b < BUCKETS; b++) {
                seen += counts[b];
                if (rank < seen) {
                    return b * NANOS_PER_BUCKET / 1e3;
                }
            }
            return slow[(int) (rank - seen)] / 1e3;
        }
    }
}
