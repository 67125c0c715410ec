package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.management.JMException;
import javax.management.MBeanServer;
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
 * {@link ManagerOptions#pollInterval()}. A new registry revision is applied by mapping and fully verifying every
 * snapshot it needs that is not already open, and only then replacing the routing state with one atomic
 * reference update. Readers never block and never see a half-applied state; a lease keeps its snapshot open and
 * unchanged until it is closed. When any snapshot fails to map or verify, nothing changes: the old state keeps
 * serving and the failure goes to the log, the listener and {@link ManagerMetrics#failedSwitches()}.
 *
 * <p><b>Automatic rollback</b>: outcomes are counted per snapshot over its guard's sliding window. When a failure
 * makes a canary's guard trip, the very next request is routed without that canary; for a stable snapshot with
 * a guard, the previous stable (kept mapped for the purpose) takes over. The store's registry is then marked
 * ({@code rolled-back}, with the reason) on a background thread; if that write fails, the manager keeps the
 * snapshot out of service anyway.
 *
 * <p>Thread-safe. {@link #close()} stops the watcher and closes every snapshot once its last lease is released.
 */
public final class SnapshotManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final SnapshotStore store;
    private final ManagerOptions options;
    private final ManagerMetrics metrics = new ManagerMetrics();
    private final AtomicReference<RoutingState> state = new AtomicReference<>();
    /** Snapshot ids taken out of service by a guard, until the registry shows them out of service too. */
    private final Set<String> tripped = ConcurrentHashMap.newKeySet();

    private final Object applyLock = new Object();
    private final ExecutorService background;
    private final Thread watcher;
    private final ObjectName mbeanName;
    private volatile boolean closed;
    private String lastReportedFailure;

    private SnapshotManager(SnapshotStore store, ManagerOptions options) throws IOException {
        this.store = store;
        this.options = options;
        StoreRegistry registry = store.registry();
        if (registry.stable() == null) {
            throw new StoreException(
                    store.registryFile() + " names no stable snapshot; promote one first"
                            + " (snapshot:promote or 'store promote')",
                    null);
        }
        try {
            apply(registry);
        } catch (RuntimeException | IOException e) {
            closeAll();
            throw e;
        }
        this.background = Executors.newSingleThreadExecutor(r -> daemon(r, "warmstart-store-writer"));
        this.watcher = daemon(this::watch, "warmstart-store-watcher");
        this.mbeanName = options.registerMBean() ? registerMBean() : null;
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
     *     names fails to open or verify (a service cannot start without something to serve)
     */
    public static SnapshotManager open(Path storeDirectory, ManagerOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (!Files.isRegularFile(storeDirectory.resolve(SnapshotStore.REGISTRY_FILE))) {
            throw new StoreException(
                    storeDirectory + " holds no " + SnapshotStore.REGISTRY_FILE
                            + "; publish and promote a snapshot into it first",
                    null);
        }
        return new SnapshotManager(new SnapshotStore(storeDirectory, RegistryIo.ATOMIC, options.clock()), options);
    }

    /** For tests: a manager over a store with injected file writes. */
    static SnapshotManager open(SnapshotStore store, ManagerOptions options) throws IOException {
        return new SnapshotManager(store, options);
    }

    /**
     * Chooses the snapshot a request must see and holds it open for the request. Never blocks.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public SnapshotLease select(RequestContext request) {
        Objects.requireNonNull(request, "request");
        while (true) {
            RoutingState current = state.get();
            if (closed || current == null) {
                throw new IllegalStateException("the snapshot manager of " + store.directory() + " is closed");
            }
            RoutingState.Route route = current.route(request);
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
        record(snapshotId, true);
    }

    /** Counts a failure of the snapshot {@code snapshotId}; when its guard trips, it is taken out of service. */
    public void recordFailure(String snapshotId) {
        record(snapshotId, false);
    }

    /** @return the registry revision being served */
    public long revision() {
        return requireState().revision;
    }

    /** @return the stable snapshot's id */
    public String stableId() {
        return requireState().stable.id;
    }

    /** @return the ids of the snapshots serving each channel: {@code stable} and each canary's name */
    public Map<String, String> channels() {
        RoutingState s = requireState();
        Map<String, String> out = new java.util.LinkedHashMap<>();
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

    /** @return the store directory */
    public Path storeDirectory() {
        return store.directory();
    }

    /**
     * Re-reads the registry now and applies it when its revision changed, without waiting for the watcher.
     *
     * @return whether a new state is serving
     */
    public boolean refresh() {
        if (closed) {
            return false;
        }
        try {
            StoreRegistry registry = store.registry();
            if (registry.revision() == requireState().revision) {
                return false;
            }
            boolean applied = apply(registry);
            if (applied) {
                synchronized (applyLock) {
                    lastReportedFailure = null;
                }
            }
            return applied;
        } catch (IOException | RuntimeException e) {
            reportFailure("cannot apply " + store.registryFile(), e);
            return false;
        }
    }

    /** Stops watching and closes every snapshot once its last lease is released. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watcher.interrupt();
        try {
            watcher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        background.shutdown();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (JMException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot unregister " + mbeanName, e);
            }
        }
        closeAll();
    }

    // ---- applying registry states ----

    /**
     * Builds the routing state of {@code registry} (maps and verifies what is not open yet) and swaps it in.
     *
     * @return false when a snapshot failed: nothing changed
     */
    private boolean apply(StoreRegistry registry) throws IOException {
        synchronized (applyLock) {
            if (closed) {
                return false;
            }
            long start = System.nanoTime();
            RoutingState current = state.get();
            if (current != null && current.revision == registry.revision()) {
                return false; // applied meanwhile by the watcher or another refresh()
            }
            // A trip is settled once the registry shows the snapshot out of service.
            tripped.removeIf(
                    id -> registry.snapshot(id).map(r -> !isServing(r.status())).orElse(true));

            String stableId = registry.stable();
            Guard stableGuard = registry.stableGuard();
            List<String> previous = new ArrayList<>(registry.previousStable());
            previous.removeIf(tripped::contains);
            if (tripped.contains(stableId) && !previous.isEmpty()) {
                stableId = previous.remove(0);
                stableGuard = null;
            }
            List<Canary> canaries = new ArrayList<>(registry.canaries());
            canaries.removeIf(c -> tripped.contains(c.snapshotId()));

            Map<String, ServedSnapshot> opened = new HashMap<>();
            try {
                ServedSnapshot stable = serve(registry, stableId, current, opened);
                List<RoutingState.ServedCanary> servedCanaries = new ArrayList<>();
                for (Canary c : canaries) {
                    servedCanaries.add(
                            new RoutingState.ServedCanary(c, serve(registry, c.snapshotId(), current, opened)));
                }
                ServedSnapshot fallback = null;
                if (stableGuard != null && !previous.isEmpty()) {
                    try {
                        fallback = serve(registry, previous.get(0), current, opened);
                    } catch (IOException | RuntimeException e) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                "previous stable snapshot " + previous.get(0)
                                        + " cannot be opened; the stable guard has nothing to fall back to: "
                                        + e.getMessage());
                    }
                }
                RoutingState next =
                        new RoutingState(registry.revision(), stable, stableGuard, fallback, servedCanaries);
                state.set(next);
                if (current != null) {
                    retireUnused(current, next);
                }
                long took = System.nanoTime() - start;
                metrics.switched(took);
                LOG.log(
                        System.Logger.Level.INFO,
                        () -> "snapshot store " + store.directory() + ": serving revision " + registry.revision() + " ("
                                + describe(next) + ") after " + millis(took) + " ms");
                options.listener()
                        .switched(
                                current == null ? -1 : current.revision,
                                registry.revision(),
                                stable.id,
                                Duration.ofNanos(took));
                return true;
            } catch (IOException | RuntimeException e) {
                for (ServedSnapshot s : opened.values()) {
                    s.retire();
                }
                if (current == null) {
                    throw e;
                }
                reportFailure(
                        "registry revision " + registry.revision() + " is not applied; revision " + current.revision
                                + " keeps serving",
                        e);
                return false;
            }
        }
    }

    private ServedSnapshot serve(
            StoreRegistry registry, String id, RoutingState current, Map<String, ServedSnapshot> opened)
            throws IOException {
        ServedSnapshot served = opened.get(id);
        if (served == null && current != null) {
            served = current.byId.get(id);
        }
        if (served != null && !served.isClosed()) {
            return served;
        }
        SnapshotRecord record = registry.snapshot(id)
                .orElseThrow(
                        () -> new StoreException("the registry names snapshot " + id + " but does not list it", null));
        Path file = store.snapshotFile(record);
        Snapshot snapshot;
        try {
            snapshot = Snapshot.open(file);
        } catch (IOException | RuntimeException e) {
            throw new StoreException("snapshot " + id + " cannot be opened (" + file + "): " + e, e);
        }
        try {
            options.listener().opened(id);
            long t0 = System.nanoTime();
            try {
                snapshot.verify();
            } catch (RuntimeException e) {
                throw new StoreException("snapshot " + id + " fails verification: " + e.getMessage(), e);
            }
            long took = System.nanoTime() - t0;
            metrics.verified(took);
            options.listener().verified(id, Duration.ofNanos(took));
            if (options.trust() != null) { // trust: an unsigned or untrusted snapshot is never swapped in
                try {
                    options.trust().check(snapshot);
                } catch (RuntimeException e) {
                    throw new StoreException("snapshot " + id + " is not trusted: " + e.getMessage(), e);
                }
            }
            if (!snapshot.id().equals(id) || !snapshot.contentHash().equals(record.contentHash())) {
                throw new StoreException(
                        file + " holds snapshot " + snapshot.id() + ", not " + id
                                + " as the registry says; publish it again",
                        null);
            }
        } catch (RuntimeException e) {
            snapshot.close();
            throw e;
        }
        served = new ServedSnapshot(id, snapshot, windowOf(registry, id), options.clock());
        opened.put(id, served);
        return served;
    }

    private static Duration windowOf(StoreRegistry registry, String id) {
        for (Canary c : registry.canaries()) {
            if (c.snapshotId().equals(id) && c.guard() != null) {
                return c.guard().window();
            }
        }
        if (id.equals(registry.stable()) && registry.stableGuard() != null) {
            return registry.stableGuard().window();
        }
        return Guard.DEFAULT.window();
    }

    private static boolean isServing(String status) {
        return SnapshotRecord.STABLE.equals(status) || SnapshotRecord.CANARY.equals(status);
    }

    private static void retireUnused(RoutingState old, RoutingState next) {
        for (ServedSnapshot s : old.byId.values()) {
            if (!next.byId.containsValue(s)) {
                s.retire();
            }
        }
    }

    // ---- outcomes and rollback ----

    private void record(String snapshotId, boolean success) {
        metrics.outcome(snapshotId, success);
        RoutingState current = state.get();
        if (current == null) {
            return;
        }
        ServedSnapshot served = current.byId.get(snapshotId);
        if (served == null) {
            return; // a request that finished on a snapshot no longer served
        }
        served.outcomes.record(success);
        if (success) {
            return;
        }
        Guard guard = current.guardOf(snapshotId);
        if (guard == null || tripped.contains(snapshotId)) {
            return;
        }
        long[] totals = served.outcomes.totals();
        long total = totals[0] + totals[1];
        if (guard.trips(totals[1], total)) {
            trip(
                    snapshotId,
                    String.format(
                            java.util.Locale.ROOT,
                            "failure rate %.2f%% (%d of %d requests in %s) exceeded %.2f%%",
                            100.0 * totals[1] / total,
                            totals[1],
                            total,
                            guard.window(),
                            100 * guard.maxFailureRate()));
        }
    }

    private void trip(String id, String reason) {
        synchronized (applyLock) {
            if (closed || !tripped.add(id)) {
                return;
            }
            RoutingState current = state.get();
            RoutingState next;
            boolean isCanary =
                    current.canaries.stream().anyMatch(c -> c.served().id.equals(id));
            if (isCanary) {
                List<RoutingState.ServedCanary> canaries = new ArrayList<>(current.canaries);
                canaries.removeIf(c -> c.served().id.equals(id));
                next = new RoutingState(
                        current.revision, current.stable, current.stableGuard, current.previousStable, canaries);
            } else if (current.stable.id.equals(id) && current.previousStable != null) {
                next = new RoutingState(current.revision, current.previousStable, null, null, current.canaries);
            } else {
                LOG.log(
                        System.Logger.Level.ERROR,
                        "snapshot " + id + " tripped its guard (" + reason
                                + ") but there is no previous stable snapshot to fall back to; it keeps serving");
                options.listener()
                        .failed(
                                "guard of " + id + " tripped with nothing to fall back to",
                                new StoreException(reason, null));
                return;
            }
            state.set(next);
            retireUnused(current, next);
        }
        metrics.rolledBack();
        LOG.log(System.Logger.Level.WARNING, "snapshot " + id + " rolled back automatically: " + reason);
        options.listener().rolledBack(id, reason);
        background.execute(() -> {
            try {
                store.markRolledBack(id, "automatic rollback: " + reason);
            } catch (IOException | RuntimeException e) {
                reportFailure(
                        "cannot record the rollback of " + id + " in " + store.registryFile()
                                + "; this service keeps it out of service anyway",
                        e);
            }
        });
    }

    // ---- watching ----

    private void watch() {
        WatchService watchService = null;
        if (options.useWatchService()) {
            try {
                watchService = FileSystems.getDefault().newWatchService();
                store.directory()
                        .register(
                                watchService,
                                StandardWatchEventKinds.ENTRY_CREATE,
                                StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "no file-system events for " + store.directory() + "; polling every " + options.pollInterval());
                closeQuietly(watchService);
                watchService = null;
            }
        }
        try {
            while (!closed) {
                if (watchService != null) {
                    WatchKey key = watchService.poll(options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                } else {
                    Thread.sleep(options.pollInterval().toMillis());
                }
                if (!closed) {
                    refresh();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } finally {
            closeQuietly(watchService);
        }
    }

    private void reportFailure(String what, Throwable error) {
        String message = what + ": " + error.getMessage();
        synchronized (applyLock) {
            if (message.equals(lastReportedFailure)) {
                return; // the watcher retries every poll; say it once
            }
            lastReportedFailure = message;
        }
        metrics.switchFailed();
        LOG.log(System.Logger.Level.ERROR, message);
        options.listener().failed(what, error);
    }

    // ---- helpers ----

    private RoutingState requireState() {
        RoutingState s = state.get();
        if (closed || s == null) {
            throw new IllegalStateException("the snapshot manager of " + store.directory() + " is closed");
        }
        return s;
    }

    private void closeAll() {
        synchronized (applyLock) {
            RoutingState s = state.getAndSet(null);
            if (s != null) {
                for (ServedSnapshot served : s.byId.values()) {
                    served.retire();
                }
            }
        }
    }

    private static String describe(RoutingState s) {
        StringBuilder b = new StringBuilder("stable ").append(s.stable.id);
        for (RoutingState.ServedCanary c : s.canaries) {
            b.append(", canary '")
                    .append(c.canary().name())
                    .append("' ")
                    .append(c.served().id)
                    .append(" at ")
                    .append(c.canary().rule().percent())
                    .append('%');
        }
        return b.toString();
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(WatchService ws) {
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    private ObjectName registerMBean() {
        try {
            ObjectName name = new ObjectName("dev.warmstart.snapshot:type=SnapshotManager,store="
                    + ObjectName.quote(store.directory().toString()));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.registerMBean(new MXBean(), name);
            return name;
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot register the snapshot manager's MBean: " + e);
            return null;
        }
    }

    private final class MXBean implements SnapshotManagerMXBean {
        @Override
        public long getRegistryRevision() {
            RoutingState s = state.get();
            return s == null ? -1 : s.revision;
        }

        @Override
        public String getStableSnapshotId() {
            RoutingState s = state.get();
            return s == null ? "" : s.stable.id;
        }

        @Override
        public String[] getCanaries() {
            RoutingState s = state.get();
            if (s == null) {
                return new String[0];
            }
            return s.canaries.stream()
                    .map(c -> c.canary().name() + "=" + c.served().id + "@"
                            + c.canary().rule().percent() + "%")
                    .toArray(String[]::new);
        }

        @Override
        public long getSelections() {
            return metrics.selections();
        }

        @Override
        public long getSwitches() {
            return metrics.switches();
        }

        @Override
        public long getFailedSwitches() {
            return metrics.failedSwitches();
        }

        @Override
        public long getRollbacks() {
            return metrics.rollbacks();
        }

        @Override
        public long getSuccesses() {
            return metrics.successesBySnapshot().values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }

        @Override
        public long getFailures() {
            return metrics.failuresBySnapshot().values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }

        @Override
        public double getLastSwitchMillis() {
            return metrics.lastSwitchNanos() / 1e6;
        }

        @Override
        public double getMaxSwitchMillis() {
            return metrics.maxSwitchNanos() / 1e6;
        }
    }
}
