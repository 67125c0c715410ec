package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Revisions from a store at an HTTP(S) URL, through a local cache. Each poll is one conditional GET of
 * {@code registry.json}; a new registry is accepted only once every snapshot it serves is in the cache, downloaded
 * and verified ({@link SnapshotCache}), and only then is it recorded as the cache's registry and its validators
 * kept for the next poll. So the cache's registry only ever names files the cache holds, and a registry that
 * fails (not JSON, a snapshot missing or damaged on the server) is fetched again on the next poll instead of
 * being answered 304.
 *
 * <p>When the server cannot be reached (or refuses), the last accepted registry — in memory, or the cache's
 * from an earlier run — keeps serving, and the source says so once: a log line, the listener's
 * {@link SnapshotEventListener#storeUnreachable}, and {@link ManagerMetrics#servingFromCache()}. When it answers
 * again, the same three say it is back, and the next registry is applied as usual.
 */
final class HttpRevisionSource implements RevisionSource {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final HttpStoreFetcher fetcher;
    private final SnapshotCache cache;
    private final BackoffPolicy backoff;
    private final SnapshotEventListener listener;
    private final ManagerMetrics metrics;
    private final Path bootstrap;
    private final HttpStoreSettings writer;
    private final int candidates;
    private StoreRegistry accepted;
    private boolean unreachable;
    private volatile Duration nextWait;
    private volatile boolean closed;

    HttpRevisionSource(
            HttpStoreFetcher fetcher,
            SnapshotCache cache,
            BackoffPolicy backoff,
            SnapshotEventListener listener,
            ManagerMetrics metrics,
            Path bootstrap,
            HttpStoreSettings writer,
            int candidates) {
        this.fetcher = fetcher;
        this.writer = writer;
        this.candidates = candidates;
        this.bootstrap = bootstrap;
        this.cache = cache;
        this.backoff = backoff;
        this.listener = listener;
        this.metrics = metrics;
    }

    Path cacheDirectory() {
        return cache.directory();
    }

    @Override
    public String location() {
        return fetcher.base().toString();
    }

    @Override
    public String registryLocation() {
        return fetcher.registryUri().toString();
    }

    @Override
    public synchronized StoreRegistry read() throws IOException {
        HttpStoreFetcher.RegistryResponse response;
        try {
            response = fetcher.fetchRegistry();
        } catch (BoundedBody.TooLargeException e) {
            nextWait = backoff.failed(0, null);
            throw new StoreException(
                    e.getMessage() + " (the registry of a store stays a few KB; raise"
                            + " HttpStoreSettings.maxRegistryBytes only if it really is that large) — nothing was applied",
                    e);
        } catch (IOException e) {
            return unreachable(e);
        }
        metrics.polled(response.notModified());
        if (response.notModified() && accepted != null) {
            reachable();
            nextWait = backoff.nextPoll();
            return accepted;
        }
        try {
            StoreRegistry registry = accept(response);
            reachable();
            backoff.succeeded();
            nextWait = backoff.nextPoll();
            return registry;
        } catch (IOException e) {
            nextWait = backoff.failed(e instanceof RemoteStoreException r ? r.status() : 0, null);
            // the fetcher's messages name the URL and the fault: a store failure, not a stack trace for the log
            throw new StoreException(e.getMessage() + " — nothing was applied", e);
        } catch (RuntimeException e) {
            nextWait = backoff.failed(0, null);
            throw e;
        }
    }

    private StoreRegistry accept(HttpStoreFetcher.RegistryResponse response) throws IOException {
        byte[] body = response.body() == null ? new byte[0] : response.body();
        StoreRegistry registry;
        try {
            registry = StoreRegistry.fromJson(new String(body, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new StoreException(
                    registryLocation() + " is not a valid registry (" + body.length + " bytes): "
                            + FailureReporter.describe(e) + "; fix the store's " + SnapshotStore.REGISTRY_FILE
                            + " (or 'store restore' an earlier revision) — nothing was applied",
                    e);
        }
        for (String id : StoreRetention.servedIds(registry, 0)) {
            cache.ensure(record(registry, id), fetcher, progress(id));
        }
        if (registry.stableGuard() != null && !registry.previousStable().isEmpty()) {
            String fallback = registry.previousStable().get(0);
            try {
                cache.ensure(record(registry, fallback), fetcher, progress(fallback));
            } catch (IOException | RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "previous stable snapshot " + fallback + " cannot be cached; the stable guard has nothing to"
                                + " fall back to: " + FailureReporter.describe(e));
            }
        }
        cache.saveRegistry(body);
        fetcher.accepted(response);
        accepted = registry;
        try {
            cache.prune(registry, candidates);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot prune the cache " + cache.directory() + ": " + e);
        }
        return registry;
    }

    private static SnapshotRecord record(StoreRegistry registry, String id) {
        return registry.snapshot(id)
                .orElseThrow(() -> new StoreException(
                        "the registry names snapshot " + id + " but does not list it; restore an earlier revision"
                                + " ('store restore')",
                        null));
    }

    /** The server did not answer usefully: serve what was accepted before, or fail a first start. */
    private StoreRegistry unreachable(IOException e) throws IOException {
        RemoteStoreException remote = e instanceof RemoteStoreException r ? r : null;
        nextWait = backoff.failed(remote == null ? 0 : remote.status(), remote == null ? null : remote.retryAfter());
        metrics.storeUnreachable(true);
        if (accepted == null) {
            byte[] cached = cache.registry();
            if (cached == null && bootstrap != null) {
                cached = fromBootstrap();
            }
            if (cached == null) {
                throw new StoreException(
                        "cannot reach the snapshot store " + location() + " (" + describe(e) + ") and the cache "
                                + cache.directory() + " holds no registry to start from; start or fix the store"
                                + " server (URL, network, credentials), or bake a copy into the image with 'store"
                                + " pull " + location() + " DIR' and name it in WARMSTART_STORE_BOOTSTRAP (or"
                                + " HttpStoreSettings.withBootstrap)",
                        e);
            }
            accepted = StoreRegistry.fromJson(new String(cached, StandardCharsets.UTF_8));
        }
        if (!unreachable) {
            unreachable = true;
            LOG.log(
                    System.Logger.Level.WARNING,
                    "snapshot store " + location() + " is unreachable (" + describe(e) + "); serving registry"
                            + " revision " + accepted.revision() + " from the cache " + cache.directory()
                            + " until it answers");
            try {
                listener.storeUnreachable(location(), e);
            } catch (RuntimeException listenerFailed) {
                LOG.log(System.Logger.Level.WARNING, "the snapshot event listener failed", listenerFailed);
            }
        }
        return accepted;
    }

    /** Seeds the empty cache from the bootstrap store directory; the registry's bytes, or null when it has none. */
    private byte[] fromBootstrap() throws IOException {
        Path registryFile = bootstrap.resolve(SnapshotStore.REGISTRY_FILE);
        if (!Files.isRegularFile(registryFile)) {
            LOG.log(System.Logger.Level.WARNING, "the bootstrap store " + bootstrap + " holds no registry.json");
            return null;
        }
        byte[] json = Files.readAllBytes(registryFile);
        StoreRegistry registry = StoreRegistry.fromJson(new String(json, StandardCharsets.UTF_8));
        Path root = bootstrap.toAbsolutePath().normalize();
        for (String id : StoreRetention.servedIds(registry, 0)) {
            SnapshotRecord record = record(registry, id);
            Path file = root.resolve(record.file()).normalize();
            if (!file.startsWith(root)) {
                throw new StoreException(
                        "the bootstrap registry names a file outside its store: " + record.file(), null);
            }
            cache.adopt(record, file);
        }
        cache.saveRegistry(json);
        LOG.log(
                System.Logger.Level.WARNING,
                "the cache " + cache.directory() + " was empty: starting from the bootstrap store " + bootstrap
                        + " (registry revision " + registry.revision() + ")");
        return json;
    }

    private void reachable() {
        metrics.storeUnreachable(false);
        if (unreachable) {
            unreachable = false;
            LOG.log(System.Logger.Level.INFO, "snapshot store " + location() + " answers again");
            try {
                listener.storeReachable(location());
            } catch (RuntimeException listenerFailed) {
                LOG.log(System.Logger.Level.WARNING, "the snapshot event listener failed", listenerFailed);
            }
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    @Override
    public Path snapshotFile(SnapshotRecord record) throws IOException {
        return cache.ensure(record, fetcher, progress(record.id()));
    }

    /** Downloads verified in the cache are not verified again by the manager: one verification per download. */
    @Override
    public FileIdentity verifiedIdentity(SnapshotRecord record) throws IOException {
        return cache.verifiedIdentity(record);
    }

    private StoredSnapshots.Progress progress(String id) {
        return StoredSnapshots.Progress.reporting(id, listener, metrics);
    }

    @Override
    public void awaitChange(Duration max) throws InterruptedException {
        if (closed) {
            throw new InterruptedException("closed");
        }
        Duration wait = nextWait;
        Thread.sleep((wait == null ? max : wait).toMillis());
    }

    @Override
    public void markRolledBack(String id, String reason) throws IOException {
        if (writer == null) {
            // Replicas read only by default: the guard keeps the snapshot out of this replica's service; recording
            // the rollback in the shared registry is a pipeline's (or an operator's) write, see docs/distribution.md.
            LOG.log(
                    System.Logger.Level.WARNING,
                    "snapshot " + id + " was taken out of service here (" + reason + "); " + location()
                            + " is read-only for this replica, so the shared registry is not changed: roll back with"
                            + " 'store rollback', or give replicas write access (WARMSTART_STORE_ROLLBACK_CREDENTIALS)");
            return;
        }
        // The same guarded read-change-write as a pipeline's (LOCK or conditional PUT, retried when another writer
        // got there first); a registry that moved on without the snapshot is left as it is.
        StoreRegistry after = RemoteStoreWriter.apply(
                fetcher.base(), writer, false, List.of(), true, w -> w.store().markRolledBack(id, reason));
        LOG.log(
                System.Logger.Level.WARNING,
                "recorded the automatic rollback of " + id + " in " + location() + " (revision " + after.revision()
                        + "): the other replicas follow it");
    }

    @Override
    public void close() {
        closed = true;
    }

    /** @return a source for {@code fetcher}'s store, caching into {@code cache} */
    static HttpRevisionSource create(
            HttpStoreFetcher fetcher,
            SnapshotCache cache,
            ManagerOptions options,
            HttpStoreSettings settings,
            ManagerMetrics metrics,
            RandomGenerator random) {
        return new HttpRevisionSource(
                fetcher,
                cache,
                new BackoffPolicy(options.pollInterval(), settings.maxBackoff(), random),
                options.listener(),
                metrics,
                settings.bootstrap(),
                settings.rollbackWriter() == null ? null : settings.withCredentials(settings.rollbackWriter()),
                options.preverifyPublished());
    }
}
