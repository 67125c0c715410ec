package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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
        assertThat(record.status()).isEqualTo(SnapshotRecord.PUBLISHED);
        assertThat(record.file()).isEqualTo("snapshots/" + record.id() + ".tar");
        assertThat(Files.readAllBytes(store.snapshotFile(record))).isEqualTo(Files.readAllBytes(source));
        assertThat(record.provenance().get("label")).isEqualTo("v1");
        StoreRegistry registry = store.registry();
        assertThat(registry.revision()).isEqualTo(1);
        assertThat(registry.stable()).isNull();
        // Publishing it again changes nothing.
        store.publish(source);
        assertThat(store.registry().revision()).isEqualTo(1);
    }

    @Test
    void publishRefusesACorruptSnapshot() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        Path source = StoreFixtures.snapshot(tmp, "v1");
        byte[] bytes = Files.readAllBytes(source);
        bytes[bytes.length / 2] ^= 0x55; // inside payload.bin
        Files.write(source, bytes);
        assertThatThrownBy(() -> store.publish(source)).isInstanceOf(SnapshotException.class);
        assertThat(store.registry().revision()).isEqualTo(0);
        try (var files = Files.list(store.directory().resolve("snapshots"))) {
            assertThat(files.count()).as("nothing copied").isEqualTo(0);
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
        assertThat(r.stable()).isEqualTo(v2);
        assertThat(r.previousStable()).isEqualTo(List.of(v1));
        assertThat(r.snapshot(v1).orElseThrow().status()).isEqualTo(SnapshotRecord.RETIRED);
        assertThat(r.snapshot(v3).orElseThrow().status()).isEqualTo(SnapshotRecord.CANARY);
        assertThat(r.canary("canary").orElseThrow().firstBucket()).isEqualTo(0);

        // Growing the canary keeps its bucket range.
        r = store.promoteCanary("canary", v3, CanaryRule.percent(50), Guard.DEFAULT);
        assertThat(r.canary("canary").orElseThrow().firstBucket()).isEqualTo(0);
        assertThat(r.canary("canary").orElseThrow().rule().percent()).isEqualTo(50.0);

        r = store.rollback();
        assertThat(r.stable()).isEqualTo(v1);
        assertThat(r.snapshot(v2).orElseThrow().status()).isEqualTo(SnapshotRecord.ROLLED_BACK);
        assertThat(r.previousStable()).isEqualTo(List.of());
        assertThatThrownBy(store::rollback)
                .as("nothing left to roll back to")
                .isInstanceOf(IllegalArgumentException.class);

        r = store.rollbackTo(v2);
        assertThat(r.stable()).isEqualTo(v2);

        List<StoreRegistry> history = store.history();
        assertThat(history.size()).isEqualTo(r.revision());
        for (int i = 0; i < history.size(); i++) {
            assertThat(history.get(i).revision()).isEqualTo(i + 1);
        }
        assertThat(history.get(3).change()).contains("promote " + v1 + " to stable");

        // Restoring revision 6 (the 50% canary) brings back its channels as a new revision.
        StoreRegistry restored = store.restore(6);
        assertThat(restored.revision()).isEqualTo(r.revision() + 1);
        assertThat(restored.stable()).isEqualTo(v2);
        assertThat(restored.canary("canary").orElseThrow().snapshotId()).isEqualTo(v3);
        assertThatThrownBy(() -> store.restore(999)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A replica's automatic rollback of v2 can reach the store after an operator promoted v3 over it: v2 is then a
     * previous stable, the fallback the next rollback would serve. It tripped its guard, so it must not stay one.
     */
    @Test
    void aRollbackRecordedAfterANewerPromotionTakesTheTrippedSnapshotOutOfTheFallbacks() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        store.promoteStable(v1, null);
        store.promoteStable(v2, Guard.DEFAULT);
        store.promoteStable(v3, Guard.DEFAULT);
        assertThat(store.registry().previousStable()).isEqualTo(List.of(v2, v1));

        StoreRegistry r = store.markRolledBack(v2, "automatic rollback: 3 failures");

        assertThat(r.stable()).as("the operator's promotion stands").isEqualTo(v3);
        assertThat(r.stableGuard()).isEqualTo(Guard.DEFAULT);
        assertThat(r.previousStable()).isEqualTo(List.of(v1));
        assertThat(r.snapshot(v2).orElseThrow().status()).isEqualTo(SnapshotRecord.ROLLED_BACK);
        assertThat(r.snapshot(v2).orElseThrow().reason()).contains("3 failures");
        assertThat(store.rollback().stable()).as("the next rollback skips v2").isEqualTo(v1);
        // Recording it again changes nothing.
        long revision = store.registry().revision();
        store.markRolledBack(v2, "automatic rollback: again");
        assertThat(store.registry().revision()).isEqualTo(revision);
    }

    @Test
    void canariesTogetherCannotExceedAHundredPercent() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        store.promoteStable(publish(store, "v1"), null);
        store.promoteCanary("a", publish(store, "v2"), CanaryRule.percent(60), null);
        String v3 = publish(store, "v3");
        IllegalArgumentException e = assertThatExceptionOfType(IllegalArgumentException.class)
                .isThrownBy(() -> store.promoteCanary("b", v3, CanaryRule.percent(50), null))
                .actual();
        assertThat(e.getMessage()).contains("overlap canary 'a'");
        StoreRegistry r = store.promoteCanary("b", v3, CanaryRule.percent(40), null);
        assertThat(r.canary("b").orElseThrow().firstBucket()).isEqualTo(Routing.BUCKETS - 1);
        assertThat(r.canary("b").orElseThrow().direction()).isEqualTo(-1);
        assertThatThrownBy(() -> store.promoteCanary("a", "nope", CanaryRule.percent(1), null))
                .isInstanceOf(IllegalArgumentException.class);
        r = store.removeCanary("a");
        assertThat(r.canaries().size()).isEqualTo(1);
    }

    @Test
    void aSnapshotThatNoLongerVerifiesIsNotPromoted() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        SnapshotRecord record = store.registry().snapshot(v1).orElseThrow();
        try (FileChannel ch = FileChannel.open(store.snapshotFile(record), StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(store.snapshotFile(record)) - 700);
        }
        StoreException e = assertThatExceptionOfType(StoreException.class)
                .isThrownBy(() -> store.promoteStable(v1, null))
                .actual();
        assertThat(e.getMessage().contains(v1) && e.getMessage().contains("not promoted"))
                .as(e.getMessage())
                .isTrue();
        assertThat(store.registry().stable()).isNull();
        assertThat(store.registry().revision()).isEqualTo(1);
    }

    @Test
    void aSourceThatChangesWhilePublishedIsNotRegistered() throws IOException {
        Path dir = tmp.resolve("store");
        SnapshotStore.open(dir);
        Path source = StoreFixtures.snapshot(tmp, "v1");
        Path other = StoreFixtures.snapshot(tmp, "other");
        String v1;
        try (Snapshot s = Snapshot.open(source)) {
            v1 = s.id();
        }
        // Another process replaces the source after publish verified it and before the copy reads it.
        SnapshotStore store = new SnapshotStore(
                dir,
                new RegistryIo() {
                    @Override
                    public void write(Path target, byte[] content) throws IOException {
                        RegistryIo.ATOMIC.write(target, content);
                    }

                    @Override
                    public void copy(Path from, Path temp) throws IOException {
                        Files.copy(other, from, StandardCopyOption.REPLACE_EXISTING);
                        RegistryIo.ATOMIC.copy(from, temp);
                    }
                },
                Clock.systemUTC());
        assertThatThrownBy(() -> store.publish(source))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(v1)
                .hasMessageContaining("changed while it was being published");
        assertThat(store.registry().revision()).isZero();
        try (var files = Files.list(dir.resolve("snapshots"))) {
            assertThat(files.toList())
                    .as("nothing stored, no temporary file left")
                    .isEmpty();
        }
    }

    @Test
    void aStoredFileThatIsNotItsRecordIsNeverPromotedRolledBackToOrRestored() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        String v2 = publish(store, "v2");
        String v3 = publish(store, "v3");
        long v1Stable = store.promoteStable(v1, null).revision();
        long revision = store.promoteStable(v2, null).revision();
        SnapshotRecord record = store.registry().snapshot(v1).orElseThrow();
        // A valid snapshot, but not v1: verify() alone accepts it.
        Files.copy(
                store.snapshotFile(store.registry().snapshot(v3).orElseThrow()),
                store.snapshotFile(record),
                StandardCopyOption.REPLACE_EXISTING);
        for (ThrowingCallable use : List.<ThrowingCallable>of(
                () -> store.promoteStable(v1, null),
                () -> store.promoteCanary("canary", v1, CanaryRule.percent(5), null),
                store::rollback,
                () -> store.rollbackTo(v1),
                () -> store.restore(v1Stable))) {
            assertThatThrownBy(use)
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("holds snapshot " + v3)
                    .hasMessageContaining("registry records " + v1 + " (content hash " + record.contentHash() + ")")
                    .hasMessageContaining("publish the original file of " + v1 + " again");
        }
        assertThat(store.registry().revision()).isEqualTo(revision);
    }

    @Test
    void publishingARegisteredSnapshotAgainRepairsItsStoredFile() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        Path source = StoreFixtures.snapshot(tmp, "v1");
        SnapshotRecord record = store.publish(source);
        Path stored = store.snapshotFile(record);
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(stored, bytes);
        assertThatThrownBy(() -> store.promoteStable(record.id(), null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("publish the original file of " + record.id() + " again");

        store.publish(source);

        assertThat(store.registry().revision()).as("the record is unchanged").isEqualTo(1);
        assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(source));
        assertThat(store.promoteStable(record.id(), null).stable()).isEqualTo(record.id());
    }

    @Test
    void theNextWriteRemovesWhatAKilledWriterLeftBehind() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        Path dir = store.directory();
        // What kill -9 leaves: a half-copied snapshot and half-written registry files, named as the store names
        // its temporary files.
        List<Path> stale = List.of(
                dir.resolve("snapshots/.20261101T000000Z-0123456789ab.tar.k3j5h2.tmp"),
                dir.resolve("snapshots/.20261101T000000Z-0123456789ab.tar8405929.tmp"),
                dir.resolve(".registry.json.4x9q.tmp"),
                dir.resolve("history/.00000001.json.77z.tmp"));
        for (Path f : stale) {
            Files.write(f, new byte[4096]);
        }
        Path unrelated = Files.writeString(dir.resolve("snapshots/README.txt"), "not ours to delete");

        publish(store, "v1");

        for (Path f : stale) {
            assertThat(f).doesNotExist();
        }
        assertThat(unrelated).exists();
        assertThat(store.registry().snapshots()).hasSize(1);
    }

    @Test
    void aMalformedRegistryIsAClearErrorAndHistoryRestoresIt() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        store.promoteStable(publish(store, "v1"), null);
        Files.writeString(store.registryFile(), "{\"registryVersion\": 1, \"revision\": ");
        StoreException e = assertThatExceptionOfType(StoreException.class)
                .isThrownBy(store::registry)
                .actual();
        assertThat(e.getMessage().contains("registry.json is malformed")
                        && e.getMessage().contains("restore"))
                .as(e.getMessage())
                .isTrue();
        Files.writeString(store.registryFile(), "{\"registryVersion\": 7}");
        e = assertThatExceptionOfType(StoreException.class)
                .isThrownBy(store::registry)
                .actual();
        assertThat(e.getMessage()).contains("newer");
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
        IOException e = assertThatExceptionOfType(IOException.class)
                .isThrownBy(() -> full.promoteStable(v2, null))
                .actual();
        assertThat(e.getMessage()).contains("No space left");
        assertThat(Files.readAllBytes(good.registryFile())).isEqualTo(before);
        assertThat(good.registry().stable()).isEqualTo(v1);
        // And the store works again once there is space.
        assertThat(good.promoteStable(v2, null).stable()).isEqualTo(v2);
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
        assertThat(r.snapshots().size()).isEqualTo(12);
        assertThat(r.revision()).isEqualTo(12);
        assertThat(store.history().size()).isEqualTo(12);
    }

    @Test
    void everyFileTheStoreWritesIsReadableAsTheUmaskAllows() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = publish(store, "v1");
        store.promoteStable(v1, null);
        // What the umask gives an ordinary new file here (rw-r--r-- under umask 022), not the 0600 of a temp file.
        Set<PosixFilePermission> ordinary = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("ordinary")));
        List<Path> written = new ArrayList<>();
        written.add(store.registryFile());
        try (var history = Files.list(store.directory().resolve("history"));
                var snapshots = Files.list(store.directory().resolve("snapshots"))) {
            history.forEach(written::add);
            snapshots.forEach(written::add);
        }
        assertThat(written).hasSize(4);
        for (Path file : written) {
            assertThat(Files.getPosixFilePermissions(file)).as(file.toString()).isEqualTo(ordinary);
        }
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
        assertThat(back).isEqualTo(r);
        assertThat(back.canary("canary").orElseThrow().rule().allowlistList()).isEqualTo(List.of("alice", "bob"));
    }
}
