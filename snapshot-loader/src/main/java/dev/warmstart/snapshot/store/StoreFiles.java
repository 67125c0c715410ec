package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.writer.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The files of a store directory below its registry logic: the lock every change holds, verified copies of
 * snapshots into {@code snapshots/}, the clean-up of what killed writers left, and reading registry files.
 */
final class StoreFiles {
    private static final System.Logger LOG = System.getLogger(SnapshotStore.class.getName());

    /** The lock file every change holds, in the store directory. */
    static final String LOCK_FILE = ".lock";

    /** Threads of one process exclude each other here; processes exclude each other with the file lock. */
    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    /** Work done under the store's lock. */
    interface LockedWork<T> {
        T run() throws IOException;
    }

    private final Path dir;
    private final RegistryIo io;

    StoreFiles(Path dir, RegistryIo io) {
        this.dir = dir;
        this.io = io;
    }

    /**
     * Runs {@code work} holding the store's lock (in this process and across processes), after removing stale
     * temporary files. An {@link UncheckedIOException} from {@code work} is rethrown as its cause.
     */
    <T> T locked(LockedWork<T> work) throws IOException {
        ReentrantLock local = IN_PROCESS_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
        local.lock();
        try (FileChannel lockFile =
                        FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            removeStaleTemporaryFiles();
            return work.run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            local.unlock();
        }
    }

    /** Reads a registry file, naming it and what to do when it is malformed. */
    static StoreRegistry parse(Path file, String advice) throws IOException {
        String json = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return StoreRegistry.fromJson(json);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new StoreException(file + " is malformed: " + e.getMessage() + "; " + advice, e);
        }
    }

    /**
     * Makes {@code target} a verified copy of {@code source} that is the snapshot {@code record} names. A target
     * that already is one is kept (a snapshot file is never rewritten in place: a service may have it mapped); any
     * other target is replaced by renaming a verified copy over it. Runs under the lock.
     *
     * @throws UncheckedIOException when the copy cannot be written
     * @throws StoreException when the copy is not the verified snapshot (the source changed meanwhile)
     */
    void copyIn(Path source, Path target, SnapshotRecord record) {
        try {
            if (Files.exists(target)) {
                try (Snapshot existing = StoredSnapshots.open(target, record, StoredSnapshots.Progress.NONE)) {
                    return;
                } catch (StoreException e) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "replacing " + target + " by a new copy of " + source + ": " + e.getMessage());
                }
            }
            Path temp = AtomicFiles.createTemp(target, AtomicFiles.TEMP_SUFFIX);
            try {
                io.copy(source, temp);
                try (Snapshot copy = StoredSnapshots.open(temp, record, StoredSnapshots.Progress.NONE)) {
                    // verified, and the snapshot that was verified before the copy
                } catch (StoreException e) {
                    throw new StoreException(
                            "the copy of " + source + " is not the snapshot verified before copying (" + record.id()
                                    + ", content hash " + record.contentHash() + "): " + e.getMessage()
                                    + "; the file changed while it was being published. Nothing is published;"
                                    + " publish again once the file is complete",
                            e);
                }
                AtomicFiles.move(temp, target);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes the temporary files a killed writer left behind. Only called under the store's lock: every writer
     * of this store holds it while its temporary files exist, so any found now is stale.
     */
    private void removeStaleTemporaryFiles() throws IOException {
        for (Path d : List.of(dir, dir.resolve("snapshots"), dir.resolve("history"))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            List<Path> stale;
            try (Stream<Path> files = Files.list(d)) {
                stale = files.filter(f -> AtomicFiles.isTemporary(f, AtomicFiles.TEMP_SUFFIX) && Files.isRegularFile(f))
                        .toList();
            }
            for (Path f : stale) {
                long size = Files.size(f);
                if (Files.deleteIfExists(f)) {
                    LOG.log(
                            System.Logger.Level.INFO,
                            "removed " + f + " (" + size + " bytes), left behind by an interrupted store write");
                }
            }
        }
    }
}
