package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store's registry and files stay bounded: short previousStable, prune, history pruning. */
class StoreRetentionTest {
    @TempDir
    Path tmp;

    private SnapshotStore store;
    private final List<SnapshotRecord> published = new ArrayList<>();

    @BeforeEach
    void publishSix() throws IOException {
        store = SnapshotStore.open(tmp.resolve("store"));
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        for (String label : List.of("s0", "s1", "s2", "s3", "s4", "s5")) {
            published.add(store.publish(StoreFixtures.snapshot(inputs, label)));
        }
    }

    private String id(int i) {
        return published.get(i).id();
    }

    @Test
    void aSwitchStormKeepsPreviousStableShortAndWithoutRepeats() throws IOException {
        for (int i = 0; i < 30; i++) {
            store.promoteStable(id(i % 2), null);
        }
        StoreRegistry r = store.registry();
        assertThat(r.stable()).isEqualTo(id(1));
        assertThat(r.previousStable()).containsExactly(id(0));

        for (int i = 0; i < 6; i++) {
            store.promoteStable(id(i), null);
        }
        assertThat(store.registry().previousStable()).containsExactly(id(4), id(3), id(2), id(1), id(0));
        assertThat(store.rollback().stable()).isEqualTo(id(4));
    }

    @Test
    void previousStableNeverGrowsPastTenEntries() {
        List<String> previous = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            previous = StoreRetention.pushPrevious(previous, "id" + i, "id" + (i + 1));
        }
        assertThat(previous).hasSize(StoreRetention.MAX_PREVIOUS_STABLE).startsWith("id49", "id48");
    }

    @Test
    void pruneKeepsStableCanaryPreviousStableAndTheNewestAndRemovesTheRest() throws IOException {
        store.promoteStable(id(0), null);
        store.promoteStable(id(1), null); // previous: s0
        store.promoteCanary("canary", id(2), new CanaryRule(10, Set.of(), true), null);

        StorePrune.Result r = StorePrune.prune(store, 1, -1); // s5 is the newest

        assertThat(r.removedSnapshots()).containsExactlyInAnyOrder(id(3), id(4));
        StoreRegistry after = store.registry();
        assertThat(after.snapshots()).extracting(SnapshotRecord::id).containsExactly(id(0), id(1), id(2), id(5));
        assertThat(store.snapshotFile(published.get(3))).doesNotExist();
        assertThat(store.snapshotFile(published.get(5))).exists();
        assertThat(after.change()).startsWith("prune");
        assertThat(StorePrune.prune(store, 1, -1).removedSnapshots()).isEmpty();
        assertThat(store.registry().revision()).isEqualTo(after.revision()); // nothing to do writes nothing
    }

    @Test
    void pruneHistoryKeepsTheNewestRevisions() throws IOException {
        for (int i = 0; i < 6; i++) {
            store.promoteStable(id(i), null);
        }
        long current = store.registry().revision(); // 6 publications and 6 promotions
        StorePrune.Result r = StorePrune.prune(store, -1, 2);

        assertThat(r.removedHistoryFiles()).isEqualTo(10);
        assertThat(store.history()).extracting(StoreRegistry::revision).containsExactly(current - 1, current);
        assertThat(store.restore(current - 1).revision()).isEqualTo(current + 1);
    }

    @Test
    void aSnapshotDeletedWhileMappedKeepsServingUntilReleased() throws IOException {
        store.promoteStable(id(3), null);
        try (SnapshotManager manager = SnapshotManager.open(
                store.directory(), ManagerOptions.defaults().withWatchService(false))) {
            try (SnapshotLease lease = manager.select()) {
                store.promoteStable(id(4), null);
                // as a prune or a cache eviction does once s3 is out of reach
                Files.delete(store.snapshotFile(published.get(3)));
                assertThat(manager.refresh()).isTrue();

                Snapshot s = lease.snapshot();
                assertThat(s.id()).isEqualTo(id(3));
                s.verify(); // every byte still readable from the unlinked file
                ByteBuffer version = s.entry("version.txt");
                byte[] text = new byte[version.remaining()];
                version.get(text);
                assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo("s3");
            }
            assertThat(manager.stableId()).isEqualTo(id(4));
        }
        try (Stream<Path> files = Files.list(store.directory().resolve("snapshots"))) {
            assertThat(files).noneMatch(f -> f.getFileName().toString().startsWith(id(3)));
        }
    }
}
