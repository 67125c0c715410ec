package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot the manager retires is closed (and on Java 22+ unmapped) only once its last lease is released, so a
 * request holding a lease across a switch or the manager's close keeps reading (issue 13, target 5). The build runs
 * this class on Java 17 and again on JDK 25 against the packaged jar, where
 * {@code warmstart.expectUnmapOnClose} is set and the mapping itself is checked in {@code /proc/self/maps}.
 */
class LeaseMappingTest {
    private static final boolean UNMAPS = Boolean.getBoolean("warmstart.expectUnmapOnClose");
    // Above the loader's read limit, so the snapshots are mapped (smaller ones are read, never mapped).
    private static final int MAPPED_PAYLOAD = 5 << 20;

    @TempDir
    Path tmp;

    private static ManagerOptions manual() {
        return StoreFixtures.manual().withPreverifyPublished(0);
    }

    @Test
    void aLeaseHeldAcrossAPromotionKeepsServingAndTheMappingGoesOnlyAtItsRelease() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 =
                store.publish(StoreFixtures.snapshot(tmp, "v1", MAPPED_PAYLOAD)).id();
        String v2 =
                store.publish(StoreFixtures.snapshot(tmp, "v2", MAPPED_PAYLOAD)).id();
        String v3 =
                store.publish(StoreFixtures.snapshot(tmp, "v3", MAPPED_PAYLOAD)).id();
        store.promoteStable(v1, null);
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), manual())) {
            SnapshotLease held = manager.select();
            Path v1File = held.snapshot().file();
            // Two promotions: the previous stable (v2 after the second) stays mapped for a rollback; v1 retires.
            store.promoteStable(v2, null);
            assertThat(manager.refresh()).isTrue();
            store.promoteStable(v3, null);
            assertThat(manager.refresh()).isTrue();
            try (SnapshotLease fresh = manager.select()) {
                assertThat(fresh.snapshotId()).isEqualTo(v3);
            }

            // v1 is retired, but the held lease still reads all of it.
            assertThat(version(held)).isEqualTo("v1");
            assertThat(held.snapshot().entry("payload.bin").remaining()).isGreaterThan(5_000_000);
            if (UNMAPS) {
                assertThat(mappingsOf(v1File))
                        .as("v1 mapped while a lease holds it")
                        .isPositive();
            }

            held.close();
            // Closed on the manager's closer thread, not the releasing one: soon after the release, not during it.
            StoreFixtures.await(() -> StoreFixtures.isClosed(held.snapshot()), "v1 to be closed after its last lease");
            assertThatThrownBy(() -> held.snapshot().entry("version.txt")).isInstanceOf(IllegalStateException.class);
            if (UNMAPS) {
                StoreFixtures.await(() -> mappingsOf(v1File) == 0, "v1's mappings to go after its last lease");
            }
        }
    }

    @Test
    void aLeaseHeldAcrossTheManagersCloseKeepsServingUntilReleased() throws Exception {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 =
                store.publish(StoreFixtures.snapshot(tmp, "v1", MAPPED_PAYLOAD)).id();
        store.promoteStable(v1, null);
        SnapshotManager manager = SnapshotManager.open(store.directory(), manual());
        SnapshotLease held = manager.select();
        Path file = held.snapshot().file();
        manager.close();

        assertThat(version(held)).isEqualTo("v1");
        if (UNMAPS) {
            assertThat(mappingsOf(file)).isPositive();
        }
        held.close();
        StoreFixtures.await(() -> StoreFixtures.isClosed(held.snapshot()), "v1 to be closed after its last lease");
        if (UNMAPS) {
            StoreFixtures.await(() -> mappingsOf(file) == 0, "the mappings to go after the last lease");
        }
    }

    private static String version(SnapshotLease lease) {
        return StandardCharsets.UTF_8
                .decode(lease.snapshot().entry("version.txt"))
                .toString();
    }

    /** Lines of /proc/self/maps that map {@code file}. */
    private static long mappingsOf(Path file) {
        String path = file.toAbsolutePath().toString();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.endsWith(" " + path)).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
