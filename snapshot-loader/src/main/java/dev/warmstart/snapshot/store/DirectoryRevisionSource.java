package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
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

    @Override
    public void awaitChange(Duration max) throws InterruptedException {
        WatchService ws = watchService();
        if (ws == null) {
            Thread.sleep(max.toMillis());
            return;
        }
        try {
            WatchKey key = ws.poll(max.toMillis(), TimeUnit.MILLISECONDS);
            if (key != null) {
                key.pollEvents();
                key.reset();
            }
        } catch (ClosedWatchServiceException e) {
            throw new InterruptedException("the watch service of " + store.directory() + " is closed");
        }
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
