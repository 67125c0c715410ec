package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.management.ObjectName;

/**
 * Serves the snapshots of a store to a running service: the stable one and every canary, each mapped once,
 * with requests routed between them, hot switching when the registry changes, and automatic rollback of a
 * snapshot whose guard trips.
 *
 * <pre>{@code
 * try (SnapshotManager manager = SnapshotManager.open(Path.of("/srv/snapshots"))) {
 *     // per request:
 *     try (SnapshotLease lease = manager.select(new RequestContext(header, userId, tenantId, null))) {
 *         String text = lease.snapshot().prompt("support/answer").render(vars);
 *         lease.recordSuccess();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Routing</b>, in this order: a pinned version (when that snapshot is served and its canary is pinnable);
 * a canary's allowlist (user or tenant id); the canary whose bucket range holds the routing key's hash
 * ({@link Routing}); otherwise stable.
 *
 * <p><b>Switching</b>: a watcher thread re-reads {@code registry.json} on file-system events and at least every
 * {@link ManagerOptions#pollInterval()}. Every snapshot is fully verified, and checked to be the snapshot its
 * registry record names (id and content hash), before it can serve — but ahead of time where possible: the
 * previous stable stays mapped and verified, and the newest published snapshots are verified in the background
 * as soon as a registry lists them ({@link ManagerOptions#preverifyPublished()}). A new registry revision is then
 * applied by looking those up (verifying now only what was not verified ahead) and replacing the routing state
 * with one atomic reference update, so a promotion or rollback to a snapshot verified ahead costs no verification
 * at all. A snapshot refused by a verification is never served by this manager until its file changes.
 *
 * <p>Readers never block and never see a half-applied state; a lease keeps its snapshot open and unchanged until
 * it is closed. When any snapshot fails to map or verify, nothing changes: the old state keeps serving and the
 * failure goes to the log, the listener and {@link ManagerMetrics#failedSwitches()}. That holds for anything a
 * snapshot can throw, including the {@link InternalError} of a file truncated while mapped: the failed snapshot is
 * closed, and the watcher retries on its next round.
 *
 * <p><b>Automatic rollback</b>: outcomes are counted per snapshot over its guard's sliding window. When a failure
 * makes a canary's guard trip, the very next request is routed without that canary; for a stable snapshot with
 * a guard, the previous stable (kept mapped for the purpose) takes over. The store's registry is then marked
 * ({@code rolled-back}, with the reason) on a background thread; if that write fails, the manager keeps the
 * snapshot out of service anyway.
 *
 * <p>A snapshot no longer served is closed (on Java 22+, unmapped) once its last lease is released, on a
 * background thread: neither a switch nor the request that trips a guard or finishes last on the old snapshot waits
 * for an unmapping.
 *
 * <p>Thread-safe. {@link #close()} stops the watcher and closes every snapshot once its last lease is released.
 */
public final class SnapshotManager implements AutoCloseable {
    private final RevisionSource source;
    private final ServingState serving;
    private final ManagerMetrics metrics;
    private final RevisionApplier applier;
    private final AutomaticRollback rollback;
    private final RevisionWatcher watcher;
    private final ObjectName mbeanName;

    private SnapshotManager(RevisionSource source, ManagerOptions options, ManagerMetrics metrics) throws IOException {
        this(source, options, metrics, ServedSnapshot.CLOSE_IN_BACKGROUND);
    }

    private SnapshotManager(RevisionSource source, ManagerOptions options, ManagerMetrics metrics, Executor closer)
            throws IOException {
        this.source = source;
        this.metrics = metrics;
        FailureReporter failures = new FailureReporter(metrics, options.listener());
        this.serving =
                new ServingState(source.location(), new VerifiedSnapshots(source, options, metrics, failures, closer));
        this.applier = new RevisionApplier(source, serving, options, metrics, failures);
        StoreRegistry registry = source.read();
        if (registry.stable() == null) {
            throw new StoreException(
                    source.registryLocation() + " names no stable snapshot; promote one first"
                            + " (snapshot:promote or 'store promote')",
                    null);
        }
        try {
            applier.apply(registry);
        } catch (RuntimeException | Error e) {
            serving.closeAll();
            throw e;
        }
        this.rollback = new AutomaticRollback(source, serving, metrics, options.listener(), failures);
        this.watcher = new RevisionWatcher(source, options.pollInterval(), applier::refreshFromWatcher);
        this.mbeanName = options.registerMBean() ? ManagerMBean.register(source.location(), serving, metrics) : null;
        watcher.start();
    }

    /** Opens a store with the default options. */
    public static SnapshotManager open(Path storeDirectory) throws IOException {
        return open(storeDirectory, ManagerOptions.defaults());
    }

    /**
     * Opens a store: reads its registry, maps and verifies the stable snapshot and every canary, and starts
     * watching for changes.
     *
     * @throws IOException when the store cannot be read
     * @throws StoreException when the registry is malformed or names no stable snapshot, or a snapshot it
     *     names fails to open or verify or is not the snapshot its record names (a service cannot start without
     *     something to serve)
     */
    public static SnapshotManager open(Path storeDirectory, ManagerOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (!Files.isRegularFile(storeDirectory.resolve(SnapshotStore.REGISTRY_FILE))) {
            throw new StoreException(
                    storeDirectory + " holds no " + SnapshotStore.REGISTRY_FILE
                            + "; publish and promote a snapshot into it first",
                    null);
        }
        return open(new SnapshotStore(storeDirectory, RegistryIo.ATOMIC, options.clock()), options);
    }

    /** For tests: a manager over a store with injected file writes. */
    static SnapshotManager open(SnapshotStore store, ManagerOptions options) throws IOException {
        return open(store, options, ServedSnapshot.CLOSE_IN_BACKGROUND);
    }

    /** For tests: a manager whose retired snapshots are closed by {@code closer}, when and where the test says. */
    static SnapshotManager open(Path storeDirectory, ManagerOptions options, Executor closer) throws IOException {
        return open(new SnapshotStore(storeDirectory, RegistryIo.ATOMIC, options.clock()), options, closer);
    }

    private static SnapshotManager open(SnapshotStore store, ManagerOptions options, Executor closer)
            throws IOException {
        return new SnapshotManager(
                new DirectoryRevisionSource(store, options.useWatchService()), options, new ManagerMetrics(), closer);
    }

    /** Opens a store at an {@code http://} or {@code https://} URL with the default options. */
    public static SnapshotManager open(URI storeUrl, Path cacheDirectory) throws IOException {
        return open(storeUrl, cacheDirectory, ManagerOptions.defaults());
    }

    /**
     * Opens a store at an {@code http://} or {@code https://} URL, with credentials and an extra CA file from the
     * environment ({@link HttpStoreSettings#fromEnvironment}).
     */
    public static SnapshotManager open(URI storeUrl, Path cacheDirectory, ManagerOptions options) throws IOException {
        return open(storeUrl, cacheDirectory, options, HttpStoreSettings.fromEnvironment(System.getenv()));
    }

    /**
     * Opens a store at an {@code http://} or {@code https://} URL (the directory holding {@code registry.json}):
     * polls its registry with conditional GETs, downloads the snapshots it serves into {@code cacheDirectory}
     * (verified before first use), and serves them exactly as from a store directory. When the server cannot be
     * reached, the registry and snapshots the cache holds from an earlier run serve, and the manager catches up
     * once the server answers. See docs/distribution.md.
     *
     * @throws StoreException when the server cannot be reached and the cache holds nothing to start from, or
     *     what the registry names cannot be downloaded and verified
     * @throws IllegalArgumentException when the URL is not http or https
     */
    public static SnapshotManager open(
            URI storeUrl, Path cacheDirectory, ManagerOptions options, HttpStoreSettings settings) throws IOException {
        Objects.requireNonNull(options, "options");
        String scheme = storeUrl.getScheme() == null ? "" : storeUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("a remote store URL must be http:// or https://, not " + storeUrl
                    + "; open a store directory with open(Path)");
        }
        ManagerMetrics metrics = new ManagerMetrics();
        HttpRevisionSource source = HttpRevisionSource.create(
                new HttpStoreFetcher(storeUrl, settings, options.clock()),
                new SnapshotCache(cacheDirectory),
                options,
                settings,
                metrics,
                new SecureRandom());
        return new SnapshotManager(source, options, metrics);
    }

    /**
     * Chooses the snapshot a request must see and holds it open for the request. Never blocks.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public SnapshotLease select(RequestContext request) {
        Objects.requireNonNull(request, "request");
        while (true) {
            RoutingState.Route route = serving.require().route(request);
            if (route.served().tryAcquire()) {
                metrics.selected(route.channel());
                return new SnapshotLease(this, route.served(), route.channel());
            }
            // That snapshot was retired and closed between the read of the state and the acquire: a newer
            // state is already in place, so route again.
            Thread.onSpinWait();
        }
    }

    /** @return a lease on the stable snapshot (an unrouted request) */
    public SnapshotLease select() {
        return select(RequestContext.ANONYMOUS);
    }

    /**
     * Runs {@code work} against the snapshot the request must see and records its outcome: a success when it
     * returns, a failure when it throws (the exception is rethrown).
     */
    public <T> T call(RequestContext request, Function<Snapshot, T> work) {
        try (SnapshotLease lease = select(request)) {
            T result;
            try {
                result = work.apply(lease.snapshot());
            } catch (RuntimeException | Error e) {
                lease.recordFailure();
                throw e;
            }
            lease.recordSuccess();
            return result;
        }
    }

    /** Counts a success of the snapshot {@code snapshotId}. */
    public void recordSuccess(String snapshotId) {
        rollback.record(snapshotId, true);
    }

    /** Counts a failure of the snapshot {@code snapshotId}; when its guard trips, it is taken out of service. */
    public void recordFailure(String snapshotId) {
        rollback.record(snapshotId, false);
    }

    /** @return the registry revision being served */
    public long revision() {
        return serving.require().revision;
    }

    /** @return the stable snapshot's id */
    public String stableId() {
        return serving.require().stable.id;
    }

    /** @return the ids of the snapshots serving each channel: {@code stable} and each canary's name */
    public Map<String, String> channels() {
        RoutingState s = serving.require();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("stable", s.stable.id);
        for (RoutingState.ServedCanary c : s.canaries) {
            out.put(c.canary().name(), c.served().id);
        }
        return out;
    }

    /** @return the counters and timers */
    public ManagerMetrics metrics() {
        return metrics;
    }

    /** @return the store directory, or for a remote store its cache directory */
    public Path storeDirectory() {
        return source instanceof HttpRevisionSource remote
                ? remote.cacheDirectory()
                : ((DirectoryRevisionSource) source).store().directory();
    }

    /** @return where the revisions come from: the store directory or URL */
    public String storeLocation() {
        return source.location();
    }

    /**
     * Re-reads the registry now and applies it when its revision changed, without waiting for the watcher. A
     * failure is reported to the log and the listener, never thrown.
     *
     * @return whether a new state is serving
     */
    public boolean refresh() {
        return applier.refresh();
    }

    /**
     * @return whether the snapshot of {@code record} is mapped and verified here, so that a switch to it only swaps
     *     a reference (for tests and benchmarks that wait for the verification ahead)
     */
    boolean isVerified(SnapshotRecord record) {
        return serving.verified().isVerified(record);
    }

    /** Stops watching and closes every snapshot once its last lease is released. Idempotent. */
    @Override
    public void close() {
        synchronized (serving.lock) {
            if (serving.isClosed()) {
                return;
            }
            serving.markClosed();
        }
        watcher.stop();
        rollback.shutdown();
        ManagerMBean.unregister(mbeanName);
        serving.closeAll();
    }
}
