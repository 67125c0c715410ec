package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry revision applied while a guard trips. The applier builds its state without the serving lock; a rollback
 * that swaps in meanwhile drops the snapshots its own state does not hold, and closes them only after its swap,
 * outside the lock. The applier must never serve one of those: a request would get a snapshot about to close, and
 * once it is closed every request on it would spin in {@code select}. Nor may the race cost the revision its switch,
 * or make either side report a failure that did not happen.
 *
 * <p>The threads are put in order by the listener (a verification's {@code opened}, the rollback's {@code
 * rolledBack}), by the guard's clock, and by a closer that runs closes only when the test says; nothing here depends
 * on timing. The bounded waits only turn a thread that never gets where it should into a failure, not a hung build.
 */
class ApplyRacingRollbackTest {
    /** Any failure trips it. */
    private static final Guard FIRST_FAILURE = new Guard(0, Duration.ofMinutes(5), 1);

    @TempDir
    Path tmp;

    private final AutomaticRollbackTest.HeldCloses closes = new AutomaticRollbackTest.HeldCloses();

    /**
     * The interleaving, with v2 stable under a guard and v1 its fallback:
     *
     * <ol>
     *   <li>the applier reads a revision with v3 stable and a canary, verifies v3 (nothing holds it yet but the state
     *       being built) and stops while verifying the canary (verified ahead: a rollback keeps it);
     *   <li>a failure on v2 trips its guard: v1 serves, and v3, held by neither state, is dropped; the rollback
     *       thread stops in the listener, after the lock, before it closes what it dropped;
     *   <li>the applier finishes and takes the lock: the state it built holds the dropped v3;
     *   <li>a request takes a lease, the rollback thread goes on and closes what it dropped, the request ends.
     * </ol>
     */
    @Test
    void aRevisionAppliedWhileAGuardTripsNeverServesASnapshotTheRollbackDropped() throws Throwable {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        store.promoteStable(v2, FIRST_FAILURE);
        // The two newest published snapshots are verified ahead, newest first, on one thread: holding that thread in
        // the blocker's verification leaves the canary's waiting, for the applier to verify itself.
        String canary = publish(store, "canary");
        String blocker = publish(store, "blocker");
        Gates gates = new Gates();
        Gate blockerVerifying = gates.onOpened(blocker);
        Gate canaryVerifying = gates.onOpened(canary);
        Gate rolledBack = gates.onRolledBack(v2);

        try (SnapshotManager manager =
                SnapshotManager.open(store.directory(), StoreFixtures.manual().withListener(gates), closes)) {
            try {
                blockerVerifying.awaitReached("the verification ahead of " + blocker);
                String v3 = publish(store, "v3");
                store.promoteStable(v3, null);
                long revision = store.promoteCanary("canary", canary, CanaryRule.percent(10), null)
                        .revision();

                Worker applier = Worker.start("applier", manager::refresh);
                canaryVerifying.awaitReached("the applier's verification of the canary, after v3's");
                Worker tripper = Worker.start("tripping request", () -> {
                    manager.recordFailure(v2);
                    return true;
                });
                rolledBack.awaitReached("the rollback's listener call, after its swap");
                canaryVerifying.open();
                assertThat(applier.join()).as("the revision is applied").isTrue();

                Snapshot served;
                try (SnapshotLease lease = manager.select()) {
                    assertThat(lease.snapshotId()).isEqualTo(v3);
                    rolledBack.open(); // the rollback now closes what it dropped
                    tripper.join();
                    served = lease.snapshot();
                }
                closes.runAll();
                assertThat(isOpen(served))
                        .as("the v3 a request got after the apply is still open once every close handed over ran")
                        .isTrue();
                try (SnapshotLease next = manager.select()) {
                    assertThat(version(next)).isEqualTo("v3");
                }
                assertThat(manager.revision()).isEqualTo(revision);
                assertThat(manager.channels()).containsExactly(Map.entry("stable", v3), Map.entry("canary", canary));
                assertThat(manager.metrics().rollbacks()).isEqualTo(1);
                assertThat(manager.metrics().failedSwitches()).isZero();
            } finally {
                gates.openAll();
            }
        }
    }

    /**
     * The same race a step earlier: the guard trips while the applier is still verifying v3, so the rollback drops v3's
     * unfinished verification. The revision is applied all the same, by the same call, with nothing reported failed:
     * a trip is no fault of the revision.
     */
    @Test
    void aRevisionWhoseVerificationARollbackDropsIsAppliedAllTheSame() throws Throwable {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        store.promoteStable(v2, FIRST_FAILURE);
        String v3 = publish(store, "v3");
        Gates gates = new Gates();
        Gate v3Verifying = gates.onOpened(v3);

        try (SnapshotManager manager = SnapshotManager.open(
                store.directory(), StoreFixtures.manual().withListener(gates).withPreverifyPublished(0), closes)) {
            try {
                long revision = store.promoteStable(v3, null).revision();

                Worker applier = Worker.start("applier", manager::refresh);
                v3Verifying.awaitReached("the applier's verification of v3");
                manager.recordFailure(v2); // the rollback drops v3's verification: no state holds v3
                assertThat(manager.stableId()).isEqualTo(v1);
                v3Verifying.open();

                assertThat(applier.join())
                        .as("the revision is applied by this refresh")
                        .isTrue();
                assertThat(gates.failed).as("failures reported").isEmpty();
                assertThat(manager.metrics().failedSwitches()).isZero();
                assertThat(manager.revision()).isEqualTo(revision);
                try (SnapshotLease lease = manager.select()) {
                    assertThat(version(lease)).isEqualTo("v3");
                }
            } finally {
                gates.openAll();
            }
        }
    }

    /**
     * The other order: a failing request reads the state with v2 as the guarded stable, the applier then swaps in a
     * revision where v3 is stable, and only then does the request's trip take the lock. The guard that tripped is no
     * longer in the state serving, so the trip changes nothing and reports nothing: not the error that v2 "keeps
     * serving with nothing to fall back to", when it serves nothing. The request is stopped in the guard's clock,
     * between its read of the state and the lock.
     */
    @Test
    void aTripOnAStateTheApplierReplacedMeanwhileReportsNoFalseFailure() throws Throwable {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        store.promoteStable(v2, FIRST_FAILURE);
        String v3 = publish(store, "v3");
        Gates gates = new Gates();
        Gate counting = new Gate();
        Clock clock = new GatedClock("tripping request", counting);

        try (SnapshotManager manager = SnapshotManager.open(
                store.directory(), StoreFixtures.manual().withListener(gates).withClock(clock), closes)) {
            try {
                Worker tripper = Worker.start("tripping request", () -> {
                    manager.recordFailure(v2);
                    return true;
                });
                counting.awaitReached("the failing request counting its outcome, on the state with v2 guarded");
                long revision = store.promoteStable(v3, FIRST_FAILURE).revision();
                assertThat(manager.refresh()).isTrue();
                counting.open();
                tripper.join();

                assertThat(gates.failed).as("failures reported").isEmpty();
                assertThat(manager.metrics().rollbacks()).isZero();
                assertThat(manager.revision()).isEqualTo(revision);
                assertThat(manager.channels()).containsExactly(Map.entry("stable", v3));
            } finally {
                counting.open();
                gates.openAll();
            }
        }
    }

    /** The system clock, which stops the thread named {@code stopped} at a gate whenever it reads it. */
    private static final class GatedClock extends Clock {
        private final String stopped;
        private final Gate gate;

        GatedClock(String stopped, Gate gate) {
            this.stopped = stopped;
            this.gate = gate;
        }

        @Override
        public long millis() {
            if (Thread.currentThread().getName().equals(stopped)) {
                gate.pass();
            }
            return System.currentTimeMillis();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private String publish(SnapshotStore store, String label) throws IOException {
        return store.publish(StoreFixtures.snapshot(tmp, label)).id();
    }

    /** @return the label of the snapshot the lease serves */
    private static String version(SnapshotLease lease) {
        return StandardCharsets.UTF_8
                .decode(lease.snapshot().entry("version.txt"))
                .toString();
    }

    private static boolean isOpen(Snapshot snapshot) {
        return !StoreFixtures.isClosed(snapshot);
    }

    /** A point a manager thread stops at, in a listener call, until the test opens it. */
    private static final class Gate {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch open = new CountDownLatch(1);

        void pass() {
            reached.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the manager is closing
            }
        }

        void awaitReached(String what) throws InterruptedException {
            if (!reached.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("no thread reached " + what);
            }
        }

        void open() {
            open.countDown();
        }
    }

    /**
     * The listener that stops threads at gates: when a snapshot starts its verification, and on a rollback; it keeps
     * what is reported failed.
     */
    private static final class Gates implements SnapshotEventListener {
        private final Map<String, Gate> opened = new ConcurrentHashMap<>();
        private final Map<String, Gate> rolledBack = new ConcurrentHashMap<>();
        final List<String> failed = new CopyOnWriteArrayList<>();

        Gate onOpened(String snapshotId) {
            return opened.computeIfAbsent(snapshotId, id -> new Gate());
        }

        Gate onRolledBack(String snapshotId) {
            return rolledBack.computeIfAbsent(snapshotId, id -> new Gate());
        }

        void openAll() {
            opened.values().forEach(Gate::open);
            rolledBack.values().forEach(Gate::open);
        }

        @Override
        public void opened(String snapshotId) {
            Gate g = opened.get(snapshotId);
            if (g != null) {
                g.pass();
            }
        }

        @Override
        public void failed(String what, Throwable error) {
            failed.add(what + ": " + error.getMessage());
        }

        @Override
        public void rolledBack(String snapshotId, String reason) {
            Gate g = rolledBack.get(snapshotId);
            if (g != null) {
                g.pass();
            }
        }
    }

    /** A thread for one call, whose result or failure the test collects. */
    private static final class Worker {
        interface Call {
            boolean run() throws Exception;
        }

        private final Thread thread;
        private final AtomicReference<Object> outcome = new AtomicReference<>();

        private Worker(String name, Call call) {
            this.thread = new Thread(
                    () -> {
                        try {
                            outcome.set(call.run());
                        } catch (Exception | Error e) {
                            outcome.set(e);
                        }
                    },
                    name);
        }

        static Worker start(String name, Call call) {
            Worker w = new Worker(name, call);
            w.thread.start();
            return w;
        }

        boolean join() throws Throwable {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " never finished");
            }
            Object o = outcome.get();
            if (o instanceof Throwable t) {
                throw t;
            }
            return (Boolean) o;
        }
    }
}
