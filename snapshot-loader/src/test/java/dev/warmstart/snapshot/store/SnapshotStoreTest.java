package dev.warmstart.snapshot.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warmstart.snapshot.loader.SnapshotException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on disk: publishing, channels, history, and what happens when files or disks misbehave. */
class SnapshotStoreTest {
    @TempDir
    Path tmp;

    private String publish(SnapshotStore store, String label) throws IOException {
        return store.publish(StoreFixtures.snapshot(tmp, label)).id();
    }

    @Test
    void publishCopiesVerifiesAndRegisters() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        Path source = StoreFixtures.snapshot(tmp, "v1");
        SnapshotRecord record = store.publish(source);
        assertEquals(SnapshotRecord.PUBLISHED, record.status());
        assertEquals("snapshots/" + record.id() + ".tar", record.file());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(store.snapshotFile(record)));
        assertEquals("v1", record.provenance().get("label"));
        StoreRegistry registry = store.registry();
        assertEquals(1, registry.revision());
        assertNull(registry.stable());
        // Publishing it again changes nothing.
        store.publish(source);
        assertEquals(1, store.registry().revision());
    }

    @Test
    void publishRefusesACorruptSnapshot() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        Path source = StoreFixtures.snapshot(tmp, "v1");
        byte[] bytes = Files.readAllBytes(source);
        bytes[bytes.length / 2] ^= 0x55; // inside payload.bin
        Files.write(source, bytes);
        assertThrows(SnapshotException.class, () -> store.publish(source));
        assertEquals(0, store.registry().revision());
        try (var files = Files.list(store.directory().resolve("snapshots"))) {
            assertEquals(0, files.count(), "nothing copied");
        }
    }

    @Test
    void promoteRollbackAndHistory() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        store.promoteStable(v2, Guard.DEFAULT);
        StoreRegistry r = store.promoteCanary("canary", v3, CanaryRule.percent(10), Guard.DEFAULT);
        assertEquals(v2, r.stable());
        assertEquals(List.of(v1), r.previousStable());
        assertEquals(SnapshotRecord.RETIRED, r.snapshot(v1).orElseThrow().status());
        assertEquals(SnapshotRecord.CANARY, r.snapshot(v3).orElseThrow().status());
        assertEquals(0, r.canary("canary").orElseThrow().firstBucket());

        // Growing the canary keeps its bucket range.
        r = store.promoteCanary("canary", v3, CanaryRule.percent(50), Guard.DEFAULT);
        assertEquals(0, r.canary("canary").orElseThrow().firstBucket());
        assertEquals(50.0, r.canary("canary").orElseThrow().rule().percent());

        r = store.rollback();
        assertEquals(v1, r.stable());
        assertEquals(SnapshotRecord.ROLLED_BACK, r.snapshot(v2).orElseThrow().status());
        assertEquals(List.of(), r.previousStable());
        assertThrows(IllegalArgumentException.class, store::rollback, "nothing left to roll back to");

        r = store.rollbackTo(v2);
        assertEquals(v2, r.stable());

        List<StoreRegistry> history = store.history();
        assertEquals(r.revision(), history.size());
        for (int i = 0; i < history.size(); i++) {
            assertEquals(i + 1, history.get(i).revision());
        }
        assertTrue(
                history.get(3).change().contains("promote " + v1 + " to stable"),
                history.get(3).change());

        // Restoring revision 6 (the 50% canary) brings back its channels as a new revision.
        StoreRegistry restored = store.restore(6);
        assertEquals(r.revision() + 1, restored.revision());
        assertEquals(v2, restored.stable());
        assertEquals(v3, restored.canary("canary").orElseThrow().snapshotId());
        assertThrows(IllegalArgumentException.class, () -> store.restore(999));
    }

    @Test
    void canariesTogetherCannotExceedAHundredPercent() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        store.promoteStable(publish(store, "v1"), null);
        store.promoteCanary("a", publish(store, "v2"), CanaryRule.percent(60), null);
        String v3 = publish(store, "v3");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> store.promoteCanary("b", v3, CanaryRule.percent(50), null));
        assertTrue(e.getMessage().contains("overlap canary 'a'"), e.getMessage());
        StoreRegistry r = store.promoteCanary("b", v3, CanaryRule.percent(40), null);
        assertEquals(Routing.BUCKETS - 1, r.canary("b").orElseThrow().firstBucket());
        assertEquals(-1, r.canary("b").orElseThrow().direction());
        assertThrows(
                IllegalArgumentException.class, () -> store.promoteCanary("a", "nope", CanaryRule.percent(1), null));
        r = store.removeCanary("a");
        assertEquals(1, r.canaries().size());
    }

    @Test
    void aSnapshotThatNoLongerVerifiesIsNotPromoted() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        SnapshotRecord record = store.registry().snapshot(v1).orElseThrow();
        try (FileChannel ch = FileChannel.open(store.snapshotFile(record), StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(store.snapshotFile(record)) - 700);
        }
        StoreException e = assertThrows(StoreException.class, () -> store.promoteStable(v1, null));
        assertTrue(e.getMessage().contains(v1) && e.getMessage().contains("not promoted"), e.getMessage());
        assertNull(store.registry().stable());
        assertEquals(1, store.registry().revision());
    }

    @Test
    void aMalformedRegistryIsAClearErrorAndHistoryRestoresIt() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        store.promoteStable(publish(store, "v1"), null);
        Files.writeString(store.registryFile(), "{\"registryVersion\": 1, \"revision\": ");
        StoreException e = assertThrows(StoreException.class, store::registry);
        assertTrue(
                e.getMessage().contains("registry.json is malformed")
                        && e.getMessage().contains("restore"),
                e.getMessage());
        Files.writeString(store.registryFile(), "{\"registryVersion\": 7}");
        e = assertThrows(StoreException.class, store::registry);
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    @Test
    void aFullDiskLeavesTheRegistryAsItWas() throws IOException {
        Path dir = tmp.resolve("store");
        SnapshotStore good = SnapshotStore.open(dir);
        String v1 = publish(good, "v1");
        String v2 = publish(good, "v2");
        good.promoteStable(v1, null);
        byte[] before = Files.readAllBytes(good.registryFile());
        SnapshotStore full = new SnapshotStore(
                dir,
                (target, content) -> {
                    // What AtomicFiles does when the disk fills mid-write: the temp file fails, the target is
                    // untouched.
                    throw new IOException("No space left on device");
                },
                Clock.systemUTC());
        IOException e = assertThrows(IOException.class, () -> full.promoteStable(v2, null));
        assertTrue(e.getMessage().contains("No space left"));
        assertArrayEquals(before, Files.readAllBytes(good.registryFile()));
        assertEquals(v1, good.registry().stable());
        // And the store works again once there is space.
        assertEquals(v2, good.promoteStable(v2, null).stable());
    }

    @Test
    void concurrentChangesAreNeverLost() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(StoreFixtures.snapshot(tmp, "c" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<SnapshotRecord>> futures = new ArrayList<>();
            for (Path f : files) {
                // Each task uses its own SnapshotStore object, as separate CLI processes would.
                futures.add(pool.submit(
                        () -> SnapshotStore.open(tmp.resolve("store")).publish(f)));
            }
            for (Future<SnapshotRecord> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        StoreRegistry r = store.registry();
        assertEquals(12, r.snapshots().size());
        assertEquals(12, r.revision());
        assertEquals(12, store.history().size());
    }

    @Test
    void registryRoundTripsThroughJson() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        store.promoteStable(v1, new Guard(0.05, Duration.ofMinutes(2), 50));
        StoreRegistry r =
                store.promoteCanary("canary", v2, new CanaryRule(12.5, Set.of("bob", "alice"), false), Guard.DEFAULT);
        StoreRegistry back = StoreRegistry.fromJson(r.toJson());
        assertEquals(r, back);
        assertEquals(
                List.of("alice", "bob"),
                back.canary("canary").orElseThrow().rule().allowlistList());
    }
}
