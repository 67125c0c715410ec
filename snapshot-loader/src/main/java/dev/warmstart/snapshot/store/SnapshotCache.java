package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.writer.AtomicFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A replica's local copy of a remote store: the last registry it applied and the snapshots that registry serves.
 *
 * <pre>
 * cache/
 *   registry.json                        the last registry applied (written last: it only names cached files)
 *   snapshots/&lt;id&gt;-&lt;content hash&gt;.tar  one file per snapshot, named by what it holds, never rewritten
 *   snapshots/.&lt;name&gt;.&lt;random&gt;.download.tmp   a download in progress
 * </pre>
 *
 * <p>A download goes to a temporary file, is forced to disk, must have the size its registry record states, and
 * must pass a full {@code verify()} and match the record's id and content hash (SHA-256 over every entry) before
 * it is renamed to its final name. A final name is never overwritten, so a file a service has mapped never
 * changes under it. One cache directory belongs to one process.
 *
 * <p>The cache remembers the {@link FileIdentity} of every file it verified and renamed in this process, so the
 * manager maps it without verifying it again ({@link #verifiedIdentity}): a download is verified once. A file
 * found in the cache from an earlier run is verified by the manager before it serves.
 */
final class SnapshotCache {
    static final String DOWNLOAD_SUFFIX = ".download.tmp";
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");
    /** Earlier stable snapshots kept in the cache for rollback, beyond the ones serving. */
    private static final int KEEP_PREVIOUS = 2;

    private final Path directory;
    private final Path snapshots;
    /** Files this process verified before naming them, by name, with their identity then. */
    private final Map<Path, FileIdentity> verifiedHere = new ConcurrentHashMap<>();
    /** One download per file at a time: the registry poll and the background verifier may want the same one. */
    private final Map<Path, Object> downloading = new ConcurrentHashMap<>();

    SnapshotCache(Path directory) throws IOException {
        this.directory = directory;
        this.snapshots = directory.resolve("snapshots");
        Files.createDirectories(snapshots);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(snapshots)) {
            for (Path f : files) {
                if (AtomicFiles.isTemporary(f, DOWNLOAD_SUFFIX)) {
                    LOG.log(System.Logger.Level.INFO, "removing an interrupted download " + f);
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    Path directory() {
        return directory;
    }

    /** @return the registry applied last, or null when the cache has none */
    byte[] registry() throws IOException {
        Path f = directory.resolve(SnapshotStore.REGISTRY_FILE);
        return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
    }

    /** Records {@code json} as the registry applied last (temp file, fsync, rename). */
    void saveRegistry(byte[] json) throws IOException {
        AtomicFiles.write(directory.resolve(SnapshotStore.REGISTRY_FILE), json);
    }

    /** @return where the snapshot of {@code record} is (or would be) cached */
    Path fileOf(SnapshotRecord record) throws IOException {
        if (!SAFE.matcher(record.id()).matches()
                || !SAFE.matcher(record.contentHash()).matches()) {
            throw new StoreException(
                    "the registry record of snapshot '" + record.id() + "' has an id or content hash that is not"
                            + " a plain name; refused",
                    null);
        }
        return snapshots.resolve(record.id() + "-" + record.contentHash() + ".tar");
    }

    /** @return whether {@code record}'s snapshot is cached (verified before it got its name) */
    boolean holds(SnapshotRecord record) throws IOException {
        Path f = fileOf(record);
        return Files.isRegularFile(f) && Files.size(f) == record.size();
    }

    /**
     * Makes sure {@code record}'s snapshot is cached, downloading and verifying it when it is not.
     *
     * @return the cached file
     * @throws IOException when the download fails
     * @throws StoreException when the downloaded file is not the recorded snapshot (nothing is kept)
     */
    Path ensure(SnapshotRecord record, HttpStoreFetcher fetcher) throws IOException {
        return ensure(record, fetcher, StoredSnapshots.Progress.NONE);
    }

    /** {@link #ensure(SnapshotRecord, HttpStoreFetcher)}, reporting the verification of a download. */
    Path ensure(SnapshotRecord record, HttpStoreFetcher fetcher, StoredSnapshots.Progress progress) throws IOException {
        Path target = fileOf(record);
        synchronized (downloading.computeIfAbsent(target, k -> new Object())) {
            if (holds(record)) {
                return target;
            }
            downloadVerified(fetcher, record, target, false, progress);
            verifiedHere.put(target, FileIdentity.of(target));
        }
        LOG.log(System.Logger.Level.INFO, () -> "cached snapshot " + record.id() + " as " + target);
        return target;
    }

    /**
     * @return the identity of {@code record}'s cached file when this process verified it before naming it, else
     *     null
     */
    FileIdentity verifiedIdentity(SnapshotRecord record) throws IOException {
        return verifiedHere.get(fileOf(record));
    }

    /**
     * Copies {@code record}'s snapshot from {@code source} (a bootstrap store baked into the image) into the cache,
     * with the same checks as a download.
     *
     * @return the cached file
     * @throws StoreException when the file is not the recorded snapshot (nothing is kept)
     */
    Path adopt(SnapshotRecord record, Path source) throws IOException {
        Path target = fileOf(record);
        if (holds(record)) {
            return target;
        }
        Path temp = AtomicFiles.createTemp(target, DOWNLOAD_SUFFIX);
        try {
            RegistryIo.ATOMIC.copy(source, temp);
            if (Files.size(temp) != record.size()) {
                throw new StoreException(
                        source + " has " + Files.size(temp) + " bytes, but its registry record states " + record.size()
                                + "; pull the bootstrap store again ('store pull URL DIR')",
                        null);
            }
            StoredSnapshots.open(temp, record, StoredSnapshots.Progress.NONE).close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.exists(target)) {
                    Files.move(temp, target);
                }
            }
            verifiedHere.put(target, FileIdentity.of(target));
            return target;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Downloads {@code record}'s snapshot to a temporary file beside {@code target}, forces it to disk, checks its
     * size, verifies it fully and checks it is the recorded snapshot, and only then renames it to {@code target}.
     * With {@code replace} false an existing target is left as it is (it may be mapped).
     *
     * @throws StoreException when the download is not the recorded snapshot (nothing is kept)
     */
    static void downloadVerified(HttpStoreFetcher fetcher, SnapshotRecord record, Path target, boolean replace)
            throws IOException {
        downloadVerified(fetcher, record, target, replace, StoredSnapshots.Progress.NONE);
    }

    /** {@link #downloadVerified(HttpStoreFetcher, SnapshotRecord, Path, boolean)}, reporting the verification. */
    static void downloadVerified(
            HttpStoreFetcher fetcher,
            SnapshotRecord record,
            Path target,
            boolean replace,
            StoredSnapshots.Progress progress)
            throws IOException {
        Path temp = AtomicFiles.createTemp(target, DOWNLOAD_SUFFIX);
        try {
            long got = fetcher.download(record.file(), temp, record.size());
            if (got != record.size()) {
                throw new StoreException(
                        "the download of snapshot " + record.id() + " from " + fetcher.resolve(record.file())
                                + " is truncated: " + got + " of the " + record.size() + " bytes its registry record"
                                + " states; nothing was kept, it is retried on the next poll",
                        null);
            }
            StoredSnapshots.open(temp, record, progress).close();
            if (replace) {
                AtomicFiles.move(temp, target);
                return;
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.exists(target)) {
                    Files.move(temp, target);
                } // else: the same content got there first; never overwrite a name that may be mapped
            }
        } catch (StoreException e) {
            throw new StoreException(
                    "snapshot " + record.id() + " downloaded from " + fetcher.resolve(record.file()) + " is refused: "
                            + e.getMessage(),
                    e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Deletes cached snapshots {@code registry} no longer serves, keeping its stable, its canaries, the first
     * earlier stables (for rollback) and the newest {@code candidates} published snapshots (downloaded ahead of their
     * promotion). A file still mapped keeps working: Linux frees it on unmap.
     */
    void prune(StoreRegistry registry, int candidates) throws IOException {
        Set<String> ids = new HashSet<>(StoreRetention.servedIds(registry, KEEP_PREVIOUS));
        ids.addAll(StoreRetention.candidateIds(registry, candidates));
        Set<Path> keep = new HashSet<>();
        for (String id : ids) {
            SnapshotRecord r = registry.snapshot(id).orElse(null);
            if (r != null) {
                keep.add(fileOf(r));
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(snapshots, "*.tar")) {
            for (Path f : files) {
                if (!keep.contains(f)) {
                    LOG.log(System.Logger.Level.INFO, () -> "removing " + f + " from the cache: no longer served");
                    verifiedHere.remove(f);
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
