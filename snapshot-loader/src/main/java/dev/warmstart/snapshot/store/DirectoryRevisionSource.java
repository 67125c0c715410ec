package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.writer.AtomicFiles;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Revisions from a store directory: {@code registry.json} re-read when the directory reports a change
 * ({@link WatchService}) and at least every poll interval, snapshots mapped straight from {@code snapshots/}.
 */
final class DirectoryRevisionSource implements RevisionSource {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final SnapshotStore store;
    private final boolean useWatchService;
    private final Object watchLock = new Object();
    private WatchService watchService;
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
        WatchService ws = watchService();
        if (ws == null) {
            Thread.sleep(max.toMillis());
            return;
        }
        if (registering) {
            // Events count from now on: read the registry once more, for a change made since the manager read it
            // and before the watch existed, instead of leaving that to the next poll.
            return;
        }
        long deadline = System.nanoTime() + max.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? ws.poll(left, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    return; // the poll interval: the registry is read anyway
                }
                boolean registry = concernsRegistry(key.pollEvents());
                if (!key.reset() || registry) {
                    return; // a key that cannot be reset (the directory is gone): the refresh says what is wrong
                }
            }
        } catch (ClosedWatchServiceException e) {
            throw new InterruptedException("the watch service of " + store.directory() + " is closed");
        }
    }

    /**
     * @return whether {@code events} may mean a new registry: any event but those for a writer's temporary file or
     *     the lock (events lost, without a name, count)
     */
    static boolean concernsRegistry(List<WatchEvent<?>> events) {
        for (WatchEvent<?> e : events) {
            if (!(e.context() instanceof Path name)
                    || !(name.toString().equals(StoreFiles.LOCK_FILE)
                            || AtomicFiles.isTemporary(name, AtomicFiles.TEMP_SUFFIX))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void markRolledBack(String id, String reason) throws IOException {
        store.markRolledBack(id, reason);
    }

    @Override
    public void close() {
        synchronized (watchLock) {
            closed = true;
            if (watchService != null) {
                try {
                    watchService.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot close the watch service of " + store.directory(), e);
                }
                watchService = null;
            }
        }
    }

    /** Registered on first use, on the watcher's thread; null when events are off or unavailable. */
    private WatchService watchService() {
        synchronized (watchLock) {
            if (!useWatchService || watchStarted || closed) {
                return watchService;
            }
            watchStarted = true;
            WatchService ws = null;
            try {
                ws = FileSystems.getDefault().newWatchService();
                store.directory()
                        .register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                watchService = ws;
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "no file-system events for " + store.directory() + " (" + e + "); polling instead");
                if (ws != null) {
                    try {
                        ws.close();
                    } catch (IOException closing) {
                        e.addSuppressed(closing);
                    }
                }
            }
            return watchService;
        }
    }
}
