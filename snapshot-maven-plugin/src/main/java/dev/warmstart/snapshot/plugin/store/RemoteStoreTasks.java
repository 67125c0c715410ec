package dev.warmstart.snapshot.plugin.store;

import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.RemoteStoreWriter;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.store.StoreReport;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The store goals on a remote store: each change runs the ordinary {@link StoreTasks} on a local mirror of the
 * store that {@link RemoteStoreWriter} holds under the server's WebDAV lock (or writes with a conditional PUT), then
 * uploads what changed (snapshots first, the registry last), again from a fresh read when another writer came
 * first. Every rule, check and message is the local one; the log names the URL, never the
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
     * Locks the store (or reads it for a conditional write), mirrors its registry and the snapshots {@code ids}
     * (those the change verifies), applies {@code change} and uploads the result; nothing is uploaded when the
     * change is refused. When another writer held the lock or changed the registry in between, the whole change
     * runs again from a fresh read ({@link RemoteStoreWriter#apply}, a bounded number of attempts with random
     * backoff), so two pipelines promoting at once both land; the log shows the lines of the attempt that was
     * uploaded (or refused), once.
     *
     * @param withPreviousStable whether the first earlier stable is mirrored too (a rollback verifies it)
     */
    public <T> T change(Collection<String> ids, boolean withPreviousStable, Change<T> change)
            throws IOException, StoreTaskException {
        List<String> lines = new ArrayList<>();
        String named = url.toString();
        try {
            T result = refusing(() -> RemoteStoreWriter.apply(url, settings, force, ids, withPreviousStable, w -> {
                lines.clear(); // a retried attempt logs afresh
                String mirrorName = w.store().directory().toString();
                Consumer<String> toLog = line -> lines.add(line.replace(mirrorName, named));
                try {
                    return change.apply(new StoreTasks(w.store().directory(), toLog).withTrust(trust));
                } catch (StoreTaskException e) {
                    // the refusal is about the store at the URL, not about the temporary mirror
                    throw new Refused(new StoreTaskException(e.getMessage().replace(mirrorName, named), e));
                }
            }));
            lines.forEach(log);
            log.accept("Uploaded the change to " + url);
            return result;
        } catch (Refused r) {
            lines.forEach(log);
            throw r.refusal;
        }
    }

    /** Carries a refusal of the change out of {@link RemoteStoreWriter#apply}, whose change throws no checked one. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient StoreTaskException refusal;

        Refused(StoreTaskException refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.refusal = refusal;
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
}
