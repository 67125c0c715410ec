package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which events in a store directory wake the watcher. */
class DirectoryRevisionSourceTest {
    @TempDir
    Path tmp;

    /** An event as a {@code WatchService} delivers it; the JDK's own class is not public. */
    private record Event<T>(WatchEvent.Kind<T> kind, T context) implements WatchEvent<T> {
        @Override
        public int count() {
            return 1;
        }
    }

    private static WatchEvent<?> created(String name) {
        return new Event<>(StandardWatchEventKinds.ENTRY_CREATE, Path.of(name));
    }

    private static WatchEvent<?> modified(String name) {
        return new Event<>(StandardWatchEventKinds.ENTRY_MODIFY, Path.of(name));
    }

    @Test
    void aWritersTemporaryFileAndTheLockDoNotWakeTheWatcher() {
        // what a store change writes in the store directory before it renames the new registry into place
        assertThat(DirectoryRevisionSource.concernsRegistry(List.of(
                        created(".lock"), created(".registry.json.3k2j9x.tmp"), modified(".registry.json.3k2j9x.tmp"))))
                .isFalse();
    }

    @Test
    void theRegistryAnyOtherNameAndLostEventsWakeIt() {
        assertThat(DirectoryRevisionSource.concernsRegistry(
                        List.of(created(".registry.json.3k2j9x.tmp"), created("registry.json"))))
                .isTrue();
        assertThat(DirectoryRevisionSource.concernsRegistry(List.of(modified("registry.json"))))
                .isTrue();
        // a volume that swaps a symbolic link to its files (a Kubernetes ConfigMap: ..data) names the link
        assertThat(DirectoryRevisionSource.concernsRegistry(List.of(created("..data"))))
                .isTrue();
        assertThat(DirectoryRevisionSource.concernsRegistry(List.of(created(".tmp"))))
                .isTrue();
        assertThat(DirectoryRevisionSource.concernsRegistry(
                        List.of(new Event<>(StandardWatchEventKinds.OVERFLOW, null))))
                .isTrue();
    }

    @Test
    void theFirstWaitRegistersTheWatchAndReturnsSoAChangeMadeBeforeIsReadThenEventsWake() throws IOException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        DirectoryRevisionSource source = new DirectoryRevisionSource(store, true);
        try {
            // an hour is "never" here: each wait must end because of what it is waiting for
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> source.awaitChange(Duration.ofHours(1)));
            Files.writeString(store.directory().resolve(".registry.json.3k2j9x.tmp"), "{}");
            Path next = Files.writeString(tmp.resolve("registry.json"), "{}");
            Files.move(next, store.registryFile());
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> source.awaitChange(Duration.ofHours(1)));
        } finally {
            source.close();
        }
    }

    @Test
    void theWatcherFollowsARegistryRenamedInAfterItsTemporaryFile() throws IOException, InterruptedException {
        SnapshotStore store = SnapshotStore.open(tmp.resolve("store"));
        String v1 = store.publish(StoreFixtures.snapshot(tmp, "v1")).id();
        String v2 = store.publish(StoreFixtures.snapshot(tmp, "v2")).id();
        store.promoteStable(v1, null);
        // events only: no poll would notice the change within the test
        ManagerOptions options = ManagerOptions.defaults().withPollInterval(Duration.ofHours(1));
        try (SnapshotManager manager = SnapshotManager.open(store.directory(), options)) {
            store.promoteStable(v2, null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!manager.stableId().equals(v2)) {
                assertThat(System.nanoTime()).as("the switch to v2").isLessThan(deadline);
                Thread.sleep(10);
            }
            store.rollback();
            while (!manager.stableId().equals(v1)) {
                assertThat(System.nanoTime()).as("the rollback to v1").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
    }
}
