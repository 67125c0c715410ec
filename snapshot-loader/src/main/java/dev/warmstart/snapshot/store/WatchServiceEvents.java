package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/** {@link DirectoryEvents} through the JDK's {@link WatchService}: every platform, every Java. */
final class WatchServiceEvents implements DirectoryEvents {
    private final Path directory;
    private final WatchService watchService;

    private WatchServiceEvents(Path directory, WatchService watchService) {
        this.directory = directory;
        this.watchService = watchService;
    }

    static WatchServiceEvents open(Path directory) throws IOException {
        WatchService ws = FileSystems.getDefault().newWatchService();
        try {
            directory.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
            try {
                ws.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return new WatchServiceEvents(directory, ws);
    }

    @Override
    public boolean await(long maxNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxNanos;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? watchService.poll(left, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    return false;
                }
                boolean registry = DirectoryRevisionSource.concernsRegistry(key.pollEvents());
                if (!key.reset() || registry) {
                    return true; // a key that cannot be reset (the directory is gone): the refresh says what is wrong
                }
            }
        } catch (ClosedWatchServiceException e) {
            throw new InterruptedException("the watch service of " + directory + " is closed");
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            System.getLogger(SnapshotManager.class.getName())
                    .log(System.Logger.Level.DEBUG, "cannot close the watch service of " + directory, e);
        }
    }
}
