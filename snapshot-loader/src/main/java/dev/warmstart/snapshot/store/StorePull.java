package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.writer.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One-shot copy of a remote store's current state into a local store directory ({@code store pull URL DIR}): for an
 * init container or a deploy step that bakes the current registry into a pod before the service starts. The
 * registry and the snapshots it serves (stable, canaries, and the earlier stables within reach of a rollback) are
 * downloaded and verified; the registry is written last, so the directory never names a file it does not hold.
 * The result is an ordinary store: {@code SnapshotManager.open(DIR)} serves it.
 */
public final class StorePull {
    private static final System.Logger LOG = System.getLogger(StorePull.class.getName());
    /** Earlier stables pulled, for rollback, when the server has them. */
    private static final int PREVIOUS = 2;

    /** What a pull did. */
    public record Result(StoreRegistry registry, List<String> downloaded, List<String> kept, List<String> skipped) {}

    private StorePull() {}

    /**
     * Pulls the store at {@code url} into {@code dir} (created when missing).
     *
     * @throws IOException when the server cannot be reached or answers with an error
     * @throws StoreException when the registry is malformed or a snapshot it serves fails to verify; {@code dir}'s
     *     registry is then unchanged
     */
    public static Result pull(URI url, Path dir, HttpStoreSettings settings) throws IOException {
        HttpStoreFetcher fetcher = new HttpStoreFetcher(url, settings, Clock.systemUTC());
        byte[] body;
        try {
            body = fetcher.fetchRegistry().body();
        } catch (BoundedBody.TooLargeException e) {
            throw new StoreException(e.getMessage(), e);
        }
        StoreRegistry registry;
        try {
            registry = StoreRegistry.fromJson(new String(body, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new StoreException(
                    fetcher.registryUri() + " is not a valid registry: " + FailureReporter.describe(e)
                            + "; nothing was pulled",
                    e);
        }
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("snapshots"));
        Files.createDirectories(root.resolve("history"));
        List<String> downloaded = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> required = new ArrayList<>(StoreRetention.servedIds(registry, 0));
        for (String id : StoreRetention.servedIds(registry, PREVIOUS)) {
            SnapshotRecord record = registry.snapshot(id)
                    .orElseThrow(() -> new StoreException(
                            fetcher.registryUri() + " names snapshot " + id + " but does not list it", null));
            fetcher.resolve(record.file()); // refuses a name that is not a plain path inside the store
            Path target = root.resolve(record.file()).normalize();
            if (!target.startsWith(root)) {
                throw new StoreException("the registry names a file outside the store: " + record.file(), null);
            }
            Files.createDirectories(target.getParent());
            if (isRecorded(target, record)) {
                kept.add(id);
                continue;
            }
            try {
                SnapshotCache.downloadVerified(fetcher, record, target, true);
                downloaded.add(id);
            } catch (IOException | RuntimeException e) {
                if (required.contains(id)) {
                    throw e;
                }
                LOG.log(
                        System.Logger.Level.WARNING,
                        "earlier stable snapshot " + id + " is not pulled (rollback to it needs the server): "
                                + FailureReporter.describe(e));
                skipped.add(id);
            }
        }
        AtomicFiles.write(
                root.resolve("history").resolve(String.format(Locale.ROOT, "%08d.json", registry.revision())), body);
        AtomicFiles.write(root.resolve(SnapshotStore.REGISTRY_FILE), body);
        return new Result(registry, downloaded, kept, skipped);
    }

    private static boolean isRecorded(Path file, SnapshotRecord record) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (Snapshot s = StoredSnapshots.open(file, record, StoredSnapshots.Progress.NONE)) {
            return s != null;
        } catch (IOException | RuntimeException e) {
            return false; // damaged or another snapshot: downloaded again and renamed over it
        }
    }
}
