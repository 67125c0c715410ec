package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.writer.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;

/**
 * Revisions from a store directory: {@code registry.json} re-read when the directory reports a change
 * ({@link DirectoryEvents}: inotify read on the watcher's own thread where it can, else the {@link WatchService}) and
 * at least every poll interval, snapshots mapped straight from {@code snapshots/}.
 */
final class DirectoryRevisionSource implements RevisionSource {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final SnapshotStore store;
    private final boolean useWatchService;
    private final Object watchLock = new Object();
    private DirectoryEvents events;
    private boolean watchStarted;
    private volatile boolean closed;

    DirectoryRevisionSource(SnapshotStore store, boolean useWatchService) {
        this.store = store;
        this.useWatchService = useWatchService;
    }

    SnapshotStore store() {
        return store;
    }

    @Override
    public String location() {
        return store.directory().toString();
    }

    @Override
    public String registryLocation() {
        return store.registryFile().toString();
    }

    @Override
    public StoreRegistry read() throws IOException {
        return store.registry();
    }

    @Override
    public Path snapshotFile(SnapshotRecord record) {
        return store.snapshotFile(record);
    }

    /**
     * Waits for an event in the store directory that may mean a new registry, or at most {@code max}. Events for the
     * store writers' own scratch files do not end the wait: a temporary file ({@code .registry.json.….tmp}, created,
     * written and fsynced before it is renamed into place) and the lock would each wake the watcher to read the
     * registry it serves already, just before the rename it is waiting for. Any other name ends it (not only
     * {@code registry.json}: a volume that swaps a symbolic link to its files reports the link's name).
     */
    @Override
    public void awaitChange(Duration max) throws InterruptedException {
        boolean registering;
        synchronized (watchLock) {
            registering = useWatchService && !watchStarted && !closed;
        }
        DirectoryEvents events = events();
        if (events == null) {
            Thread.sleep(max.toMillis());
            return;
        }
        if (registering) {
            // Events count from now on: read the registry once more, for a change made since the manager read it
            // and before the watch existed, instead of leaving that to the next poll.
            return;
        }
        events.await(max.toNanos()); // an event or the poll interval: the registry is read either way
    }

    /**
     * @return whether {@code events} may mean a new registry: any event but those for a writer's temporary file or
     *     the lock (events lost, without a name, count)
     */
    static boolean concernsRegistry(List<WatchEvent<?>> events) {
        for (WatchEvent<?> e : events) {
            if (!(e.context() instanceof Path name) || concernsRegistry(name)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether an event for {@code name} in the store directory may mean a new registry */
    static boolean concernsRegistry(Path name) {
        return !(name.toString().equals(StoreFiles.LOCK_FILE)
                || AtomicFiles.isTemporary(name, AtomicFiles.TEMP_SUFFIX));
    }

    @Override
    public void markRolledBack(String id, String reason) throws IOException {
        store.markRolledBack(id, reason);
    }

    @Override
    public void close() {
        synchronized (watchLock) {
            closed = true;
            if (events != null) {
                events.close();
                events = null;
            }
        }
    }

    /** Registered on first use, on the watcher's thread; null when events are off or unavailable. */
    private DirectoryEvents events() {
        synchronized (watchLock) {
            if (!useWatchService || watchStarted || closed) {
                return events;
            }
            watchStarted = true;
            try {
                events = DirectoryEvents.open(store.directory());
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "no file-system events for " + store.directory() + " (" + e + "); polling instead");
            }
            return events;
        }
    }
}
