package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full verification moved off the switch path: published snapshots verified in the background before anyone
 * promotes them, the previous stable kept verified for rollbacks, refusals remembered per file.
 */
class VerifiedAheadTest {
    @TempDir
    Path tmp;

    /** Every opened, verified and failed event, in order. */
    static final class Events implements SnapshotEventListener {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void opened(String id) {
            log.add("opened " + id);
        }

        @Override
        public void verified(String id, Duration took) {
            log.add("verified " + id);
        }

        @Override
        public void failed(String what, Throwable error) {
            log.add("failed " + what + ": " + FailureReporter.describe(error));
        }

        long count(String line) {
            return log.stream().filter(line::equals).count();
        }
    }

    private final Events events = new Events();

    /** Refreshed by hand only: the tests decide when a registry is read. */
    private ManagerOptions manual() {
        return StoreFixtures.manual().withListener(events);
    }

    private String publish(SnapshotStore store, String label) throws IOException {
        return store.publish(StoreFixtures.snapshot(tmp, label)).id();
    }

    private static SnapshotRecord record(SnapshotStore store, String id) throws IOException {
        return store.registry().snapshot(id).orElseThrow();
    }

    private static String version(Snapshot s) {
        return StandardCharsets.UTF_8.decode(s.entry("version.txt")).toString();
    }

    private static Snapshot servingSnapshot(SnapshotManager manager) {
        try (SnapshotLease lease = manager.select()) {
            return lease.snapshot();
        }
    }

    private static void flipAByteInThePayload(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long middle = f.length() / 2; // inside payload.bin
            f.seek(middle);
            int x = f.read();
            f.seek(middle);
            f.write(x ^ 0x20);
        }
    }

    @Test
    void aPublishedSnapshotIsVerifiedBeforeItsPromotionWhichThenOnlySwaps() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            String v2 = publish(store, "v2");
            assertThat(manager.refresh())
                    .as("the publication is a revision too")
                    .isTrue();
            StoreFixtures.await(
                    () -> events.count("verified " + v2) == 1, "the verification of v2 ahead of any promotion");
            assertThat(statusOfIn(store, v2)).isEqualTo(SnapshotRecord.PUBLISHED);
            long verifications = manager.metrics().verifications();
            List<String> before = new ArrayList<>(events.log);

            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isTrue();

            assertThat(version(servingSnapshot(manager))).isEqualTo("v2");
            assertThat(manager.metrics().verifications()).isEqualTo(verifications);
            assertThat(events.log).as("neither mapped nor verified again").isEqualTo(before);
        }
    }

    @Test
    void aRollbackToThePreviousStableNeitherMapsNorVerifies() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            Snapshot v1Mapping = servingSnapshot(manager);
            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isTrue();
            assertThat(manager.isVerified(record(store, v1)))
                    .as("the previous stable stays verified")
                    .isTrue();
            long verifications = manager.metrics().verifications();
            List<String> before = new ArrayList<>(events.log);

            store.rollback();
            assertThat(manager.refresh()).isTrue();

            assertThat(servingSnapshot(manager))
                    .as("the same mapping as before")
                    .isSameAs(v1Mapping);
            assertThat(manager.metrics().verifications()).isEqualTo(verifications);
            assertThat(events.log).isEqualTo(before);
        }
    }

    @Test
    void thePreviousStableStaysMappedUntilItIsOutOfReachThenIsReleased() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            Snapshot v1Mapping = servingSnapshot(manager);
            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isTrue();
            assertThat(version(v1Mapping)).as("kept for a rollback").isEqualTo("v1");

            store.promoteStable(v3, null); // previousStable is [v2, v1]: only v2 is within one rollback
            assertThat(manager.refresh()).isTrue();

            // Released, and closed on the manager's closer thread.
            StoreFixtures.await(() -> StoreFixtures.isClosed(v1Mapping), "v1 to be released and closed");
            assertThat(manager.isVerified(record(store, v1))).isFalse();
            assertThat(manager.isVerified(record(store, v2))).isTrue();
        }
    }

    @Test
    void aCorruptPublishedSnapshotIsRefusedAheadAndNeverServedEvenWhenARegistryPromotesIt() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            String v2 = publish(store, "v2");
            flipAByteInThePayload(store.snapshotFile(record(store, v2)));
            assertThat(manager.refresh()).isTrue();
            StoreFixtures.await(
                    () -> events.log.stream().anyMatch(l -> l.startsWith("failed snapshot " + v2)), "the refusal");
            assertThat(events.log)
                    .anySatisfy(l -> assertThat(l)
                            .startsWith("failed snapshot " + v2 + " is refused ahead of any promotion")
                            .contains("fails verification"));
            assertThat(manager.metrics().failedSwitches())
                    .as("nothing was switched")
                    .isZero();
            long verifications = manager.metrics().verifications();

            // A registry that makes it stable anyway (the store's own promote would refuse it: it verifies too).
            StoreRegistry r = store.registry();
            StoreRegistry promoted = new StoreRegistry(
                    r.revision() + 1, r.updated(), "promote " + v2, r.snapshots(), v2, null, List.of(v1), List.of());
            Files.writeString(store.registryFile(), promoted.toJson());
            assertThat(manager.refresh()).isFalse();

            assertThat(manager.stableId()).isEqualTo(v1);
            try (SnapshotLease lease =
                    manager.select(RequestContext.forUser("u").pinnedTo(v2))) {
                assertThat(version(lease.snapshot())).isEqualTo("v1");
            }
            assertThat(manager.metrics().failedSwitches()).isEqualTo(1);
            assertThat(manager.metrics().verifications())
                    .as("the same damaged file is not verified again")
                    .isEqualTo(verifications);
            assertThat(events.log)
                    .anySatisfy(l -> assertThat(l)
                            .startsWith("failed registry revision " + promoted.revision() + " is not applied")
                            .contains(v2)
                            .contains("fails verification"));
        }
    }

    @Test
    void aFileReplacedUnderItsNameAfterItWasVerifiedIsVerifiedAgain() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            SnapshotRecord v2Record = record(store, v2);
            StoreFixtures.await(() -> manager.isVerified(v2Record), "v2 verified ahead");
            long verifications = manager.metrics().verifications();
            Path file = store.snapshotFile(record(store, v2));
            Path copy = file.resolveSibling("copy.tmp");
            Files.copy(file, copy);
            Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isTrue();

            assertThat(manager.stableId()).isEqualTo(v2);
            assertThat(manager.metrics().verifications()).isEqualTo(verifications + 1);
        }
    }

    @Test
    void aFileDamagedInPlaceAfterItWasVerifiedIsRefusedOnTheSwitch() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            SnapshotRecord v2Record = record(store, v2);
            StoreFixtures.await(() -> manager.isVerified(v2Record), "v2 verified ahead");
            store.promoteStable(v2, null);
            Path file = store.snapshotFile(record(store, v2));
            flipAByteInThePayload(file);
            // the write's own time could fall in the clock tick of the verification: make the change certain
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));

            assertThat(manager.refresh()).isFalse();

            assertThat(manager.stableId()).isEqualTo(v1);
            assertThat(manager.metrics().failedSwitches()).isEqualTo(1);
        }
    }

    private static String statusOfIn(SnapshotStore store, String id) throws IOException {
        return store.registry().snapshot(id).orElseThrow().status();
    }
}
