package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a guard trips, the previous stable serves first; the tripped snapshot is closed (unmapped, on Java 22+) only
 * after that, outside the serving lock, never while a request still holds it, and never on a request's thread: the
 * close is handed to the manager's closer, here one that runs only when the test says. The order is observed through
 * the listener (called after the swap) and that closer: nothing here depends on timing.
 */
class AutomaticRollbackTest {
    /** Holds the closes handed to it until {@link #runAll()}. */
    static final class HeldCloses implements Executor {
        final List<Runnable> queued = new CopyOnWriteArrayList<>();

        @Override
        public void execute(Runnable close) {
            queued.add(close);
        }

        void runAll() {
            for (Runnable r : queued) {
                r.run();
            }
            queued.clear();
        }
    }

    private final HeldCloses closes = new HeldCloses();

    /** Any failure trips it. */
    private static final Guard FIRST_FAILURE = new Guard(0, Duration.ofMinutes(5), 1);

    @TempDir
    Path tmp;

    private String v1;
    private String v2;

    /** A store serving v2 under {@link #FIRST_FAILURE}, with v1 as the previous stable. */
    private SnapshotStore guardedStable() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        v1 = store.publish(StoreFixtures.snapshot(tmp, "v1")).id();
        v2 = store.publish(StoreFixtures.snapshot(tmp, "v2")).id();
        store.promoteStable(v1, null);
        store.promoteStable(v2, FIRST_FAILURE);
        return store;
    }

    @Test
    void thePreviousStableServesBeforeTheTrippedSnapshotIsClosed() throws IOException {
        SnapshotStore store = guardedStable();
        NextRequestOnRollback listener = new NextRequestOnRollback(RequestContext.ANONYMOUS);
        try (SnapshotManager manager =
                SnapshotManager.open(store.directory(), StoreFixtures.manual().withListener(listener), closes)) {
            Snapshot tripped = listener.watch(manager, v2);

            manager.recordFailure(v2);

            assertThat(listener.seen).containsExactly("next request on " + v1, "tripped snapshot open");
            assertThat(manager.stableId()).isEqualTo(v1);
            assertThat(closes.queued).as("v2's close, handed to the closer").hasSize(1);
            assertThat(isOpen(tripped)).as("not closed on the request's thread").isTrue();
            closes.runAll();
            assertThat(isOpen(tripped)).isFalse();
        }
    }

    @Test
    void aTrippedSnapshotThatARequestHoldsStaysOpenUntilItsLeaseIsReleased() throws IOException {
        SnapshotStore store = guardedStable();
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), StoreFixtures.manual(), closes)) {
            SnapshotLease held = manager.select();
            assertThat(held.snapshotId()).isEqualTo(v2);

            held.recordFailure(); // the request that trips holds its lease while it reports

            try (SnapshotLease next = manager.select()) {
                assertThat(next.snapshotId()).isEqualTo(v1);
            }
            assertThat(StandardCharsets.UTF_8
                            .decode(held.snapshot().entry("version.txt"))
                            .toString())
                    .isEqualTo("v2");
            assertThat(closes.queued).as("no close while a lease holds v2").isEmpty();
            Snapshot snapshot = held.snapshot();
            held.close();
            assertThat(closes.queued)
                    .as("v2's close, handed over at the last lease's release")
                    .hasSize(1);
            assertThat(isOpen(snapshot))
                    .as("not closed on the releasing request's thread")
                    .isTrue();
            closes.runAll();
            assertThat(isOpen(snapshot)).isFalse();
        }
    }

    @Test
    void aTrippedCanaryClosesAfterItsRequestsGoToStable() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        v1 = store.publish(StoreFixtures.snapshot(tmp, "v1")).id();
        v2 = store.publish(StoreFixtures.snapshot(tmp, "v2")).id();
        store.promoteStable(v1, null);
        store.promoteCanary("canary", v2, CanaryRule.percent(100), FIRST_FAILURE);
        NextRequestOnRollback listener = new NextRequestOnRollback(RequestContext.forUser("someone"));
        try (SnapshotManager manager =
                SnapshotManager.open(store.directory(), StoreFixtures.manual().withListener(listener), closes)) {
            Snapshot tripped = listener.watch(manager, v2);

            manager.recordFailure(v2);

            assertThat(listener.seen).containsExactly("next request on " + v1, "tripped snapshot open");
            closes.runAll();
            assertThat(isOpen(tripped)).isFalse();
        }
    }

    /**
     * Called on the tripping request's thread once the swap is done: records which snapshot a request made then
     * gets, and whether the tripped snapshot (held by no lease) is still open, its close not run yet.
     */
    private static final class NextRequestOnRollback implements SnapshotEventListener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        private final RequestContext request;
        private volatile SnapshotManager manager;
        private volatile Snapshot tripped;

        NextRequestOnRollback(RequestContext request) {
            this.request = request;
        }

        /** Serves one request from {@code manager}, which must get {@code expected}; returns its snapshot. */
        Snapshot watch(SnapshotManager manager, String expected) {
            this.manager = manager;
            try (SnapshotLease lease = manager.select(request)) {
                assertThat(lease.snapshotId()).isEqualTo(expected);
                tripped = lease.snapshot();
            }
            return tripped;
        }

        @Override
        public void rolledBack(String snapshotId, String reason) {
            try (SnapshotLease next = manager.select(request)) {
                seen.add("next request on " + next.snapshotId());
            }
            seen.add("tripped snapshot " + (isOpen(tripped) ? "open" : "closed"));
        }
    }

    private static boolean isOpen(Snapshot snapshot) {
        return !StoreFixtures.isClosed(snapshot);
    }
}
