package dev.warmstart.snapshot.plugin.store;

import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.RemoteStoreWriter;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.store.StoreReport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The store goals on a remote store: each change runs the ordinary {@link StoreTasks} on a local mirror of the
 * store that {@link RemoteStoreWriter} holds under the server's WebDAV lock, then uploads what changed (snapshots
 * first, the registry last). Every rule, check and message is the local one; the log names the URL, never the
 * temporary mirror.
 */
public final class RemoteStoreTasks {
    private final URI url;
    private final HttpStoreSettings settings;
    private final boolean force;
    private final Consumer<String> log;
    private final TrustPolicy trust;

    /**
     * @param url the store's base URL
     * @param settings credentials, CA file, timeouts
     * @param force write even when the server offers no lock (a concurrent write may then be lost)
     * @param log receives one line per call
     * @param trust the keys whose snapshots may be published and promoted, or null for any snapshot
     */
    public RemoteStoreTasks(
            URI url, HttpStoreSettings settings, boolean force, Consumer<String> log, TrustPolicy trust) {
        this.url = url;
        this.settings = settings;
        this.force = force;
        this.log = log;
        this.trust = trust;
    }

    /** One change, made with the store tasks of the mirror. */
    public interface Change<T> {
        /** Applies the change to the mirror. */
        T apply(StoreTasks mirror) throws IOException, StoreTaskException;
    }

    /**
     * Locks the store, mirrors its registry and the snapshots {@code ids} (those the change verifies), applies
     * {@code change} and uploads the result; nothing is uploaded when the change is refused.
     *
     * @param withPreviousStable whether the first earlier stable is mirrored too (a rollback verifies it)
     */
    public <T> T change(Collection<String> ids, boolean withPreviousStable, Change<T> change)
            throws IOException, StoreTaskException {
        Path mirror = Files.createTempDirectory("warmstart-store-");
        String mirrorName = mirror.toString();
        Consumer<String> named = line -> log.accept(line.replace(mirrorName, url.toString()));
        try (RemoteStoreWriter writer =
                refusing(() -> RemoteStoreWriter.begin(url, settings, mirror, force, ids, withPreviousStable))) {
            T result;
            try {
                result = change.apply(new StoreTasks(writer.store().directory(), named).withTrust(trust));
            } catch (StoreTaskException e) {
                // the refusal is about the store at the URL, not about the temporary mirror
                throw new StoreTaskException(e.getMessage().replace(mirrorName, url.toString()), e);
            }
            int uploaded = refusing(writer::commit);
            log.accept("Uploaded " + uploaded + " files to " + url);
            return result;
        } finally {
            deleteTree(mirror);
        }
    }

    /** Logs the store's channels and snapshot statuses. */
    public StoreRegistry status() throws IOException, StoreTaskException {
        StoreRegistry registry = refusing(() -> RemoteStoreWriter.readRegistry(url, settings));
        StoreReport.status(registry).forEach(log);
        return registry;
    }

    /**
     * Logs the channels and statuses, then every revision still on the server, oldest first (read back from the
     * current revision's {@code history/} file down to the first one missing: plain HTTP lists no directory).
     */
    public List<StoreRegistry> history() throws IOException, StoreTaskException {
        status();
        List<StoreRegistry> revisions = refusing(() -> RemoteStoreWriter.readHistory(url, settings));
        log.accept("history (" + revisions.size() + " revisions, oldest first):");
        StoreReport.history(revisions).forEach(log);
        return revisions;
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    // The loader reports a refusal by the server (423 Locked, no LOCK, 401) as a StoreException: the user's
    // to act on, so a build failure with its message, like every other refusal.
    private static <T> T refusing(Call<T> call) throws IOException, StoreTaskException {
        try {
            return call.run();
        } catch (SnapshotException | IllegalArgumentException e) {
            throw new StoreTaskException(e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
