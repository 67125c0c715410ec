package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.ManagerOptions;
import dev.warmstart.snapshot.store.RequestContext;
import dev.warmstart.snapshot.store.SnapshotEventListener;
import dev.warmstart.snapshot.store.SnapshotLease;
import dev.warmstart.snapshot.store.SnapshotManager;
import dev.warmstart.snapshot.store.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What {@code warmstart.snapshot.location} names, opened and served: a single snapshot file (always the same
 * snapshot, no routing), or a store directory or a remote store's URL (a {@link SnapshotManager}: stable,
 * canaries, hot switches, automatic rollback).
 *
 * <p>Config lookups ({@link #stableSnapshot()}) read the stable snapshot that is serving <em>now</em>, so a hot
 * switch shows in the {@code Environment} on the next lookup. Requests get their own routed {@link
 * SnapshotSelection} from {@link #select(RequestContext)}.
 *
 * <p>Thread-safe.
 */
public final class ServingSnapshots implements AutoCloseable {

    /** What the location turned out to be. */
    public enum Kind {
        /** One snapshot file. */
        FILE,
        /** A store directory with a {@code registry.json}. */
        STORE,
        /** A remote store at an http(s) URL, cached in {@code cache-dir}. */
        REMOTE
    }

    private final String location;
    private final Kind kind;
    private final Snapshot file;
    private final SnapshotManager manager;
    private final Clock clock;
    private final List<SnapshotEventListener> listeners = new CopyOnWriteArrayList<>();

    /** The stable snapshot config lookups read; replaced after a switch, the one before kept for late readers. */
    private SnapshotSelection stable;

    private SnapshotSelection retiring;
    private volatile boolean closed;
    private volatile Change lastChange;
    private volatile Change lastFailure;

    /** A change of what is serving, or a failure to change it. */
    public record Change(Instant at, String what) {}

    private ServingSnapshots(String location, Kind kind, Snapshot file, SnapshotManager manager, Clock clock) {
        this.location = location;
        this.kind = kind;
        this.file = file;
        this.manager = manager;
        this.clock = clock;
    }

    /**
     * Opens a location: a snapshot file ({@code .tar}, fully verified now) or a store directory (its stable
     * snapshot and canaries mapped and verified, then watched).
     *
     * @param location a path or a {@code file:} URI
     * @param pollInterval how often a store's registry is re-read
     * @throws SnapshotLocationException when the location cannot be served, saying why and what to do
     */
    public static ServingSnapshots open(String location, Duration pollInterval) {
        WarmstartProperties properties = new WarmstartProperties();
        properties.setLocation(location);
        properties.setPollInterval(pollInterval);
        return open(properties, Clock.systemUTC(), Map.of());
    }

    /**
     * Opens {@code warmstart.snapshot.location}: a snapshot file, a store directory, or the http(s) URL of a remote
     * store (with {@code cache-dir} and the {@code remote.*} access settings, falling back to the
     * {@code WARMSTART_STORE_*} environment variables).
     *
     * @throws SnapshotLocationException when the location cannot be served, saying why and what to do
     */
    public static ServingSnapshots open(WarmstartProperties properties) {
        return open(properties, Clock.systemUTC(), System.getenv());
    }

    static ServingSnapshots open(String location, Duration pollInterval, Clock clock) {
        WarmstartProperties properties = new WarmstartProperties();
        properties.setLocation(location);
        properties.setPollInterval(pollInterval);
        return open(properties, clock, Map.of());
    }

    static ServingSnapshots open(WarmstartProperties properties, Clock clock, Map<String, String> env) {
        String location = properties.getLocation();
        Duration pollInterval = properties.getPollInterval();
        URI url = remoteUrl(location);
        if (url != null) {
            return openRemote(location.trim(), url, properties, clock, env);
        }
        Path path = toPath(location);
        if (Files.isDirectory(path)) {
            return openManager(
                    location,
                    Kind.STORE,
                    options -> SnapshotManager.open(path, options.withPollInterval(pollInterval)),
                    "Publish and promote a snapshot into that store (mvn snapshot:publish snapshot:promote"
                            + " -Dsnapshot.store=" + path + "), or point the property at a snapshot file.",
                    "cannot serve the store directory: ",
                    clock);
        }
        if (!Files.exists(path)) {
            throw new SnapshotLocationException(
                    location,
                    "no such file or directory (" + path.toAbsolutePath() + ")",
                    "Point it at a snapshot file built by snapshot:build (target/snapshot/*-snapshot.tar)"
                            + " or at a store directory holding " + SnapshotStore.REGISTRY_FILE + ".",
                    null);
        }
        Snapshot snapshot = null;
        try {
            snapshot = Snapshot.open(path);
            snapshot.verify();
        } catch (IOException | SnapshotException e) {
            closeQuietly(snapshot);
            throw new SnapshotLocationException(
                    location,
                    "cannot serve the snapshot file: " + e.getMessage(),
                    "Point it at a snapshot file built by snapshot:build, or rebuild that file; a corrupt snapshot"
                            + " is refused whole.",
                    e);
        }
        ServingSnapshots serving = new ServingSnapshots(location, Kind.FILE, snapshot, null, clock);
        serving.lastChange = new Change(clock.instant(), "opened " + snapshot.id());
        return serving;
    }

    private static ServingSnapshots openRemote(
            String location, URI url, WarmstartProperties properties, Clock clock, Map<String, String> env) {
        if (url.getRawUserInfo() != null) {
            // never echo the value: it holds a password
            throw new SnapshotLocationException(
                    url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                            + url.getRawPath(),
                    "credentials in the URL would end up in logs and the actuator",
                    "Remove them from the URL and set " + WarmstartProperties.PREFIX + ".remote.username and"
                            + " .password (or .token), or the WARMSTART_STORE_* environment variables.",
                    null);
        }
        Path cacheDir = properties.getCacheDir();
        if (cacheDir == null) {
            throw new SnapshotLocationException(
                    location,
                    "a remote store needs a cache directory",
                    "Set " + WarmstartProperties.PREFIX + ".cache-dir to a directory of this replica's own (e.g."
                            + " /var/cache/app/snapshots): verified snapshots are kept there, and a restart while the"
                            + " server is unreachable serves from it.",
                    null);
        }
        HttpStoreSettings settings;
        try {
            settings = properties.getRemote().toSettings(env);
        } catch (IOException e) {
            throw new SnapshotLocationException(
                    location,
                    "cannot read the remote store's credentials: " + e.getMessage(),
                    "Fix " + WarmstartProperties.PREFIX + ".remote.credentials-file (or WARMSTART_STORE_CREDENTIALS)"
                            + " to name a readable file holding token=... or user=... and password=....",
                    e);
        }
        return openManager(
                location,
                Kind.REMOTE,
                options -> SnapshotManager.open(
                        url, cacheDir, options.withPollInterval(properties.getPollInterval()), settings),
                "Check the URL, the network and the credentials (" + WarmstartProperties.PREFIX + ".remote.*), or"
                        + " bake the store into the image with 'store pull " + url + " DIR' and set "
                        + WarmstartProperties.PREFIX + ".remote.bootstrap to DIR.",
                "cannot serve the remote store: ",
                clock);
    }

    private interface ManagerOpener {
        SnapshotManager open(ManagerOptions options) throws IOException;
    }

    private static ServingSnapshots openManager(
            String location, Kind kind, ManagerOpener opener, String action, String problem, Clock clock) {
        // The manager reports its first switch from inside open(): the listener must exist before the
        // ServingSnapshots does, so it forwards to a holder filled in right after.
        ServingSnapshots[] holder = new ServingSnapshots[1];
        SnapshotEventListener forward = new SnapshotEventListener() {
            @Override
            public void switched(long fromRevision, long toRevision, String stableId, Duration took) {
                ServingSnapshots s = holder[0];
                if (s != null) {
                    s.onSwitched(fromRevision, toRevision, stableId, took);
                }
            }

            @Override
            public void rolledBack(String snapshotId, String reason) {
                ServingSnapshots s = holder[0];
                if (s != null) {
                    s.onRolledBack(snapshotId, reason);
                }
            }

            @Override
            public void failed(String what, Throwable error) {
                ServingSnapshots s = holder[0];
                if (s != null) {
                    s.onFailed(what, error);
                }
            }

            @Override
            public void storeUnreachable(String where, Throwable error) {
                ServingSnapshots s = holder[0];
                if (s != null) {
                    s.listeners.forEach(l -> l.storeUnreachable(where, error));
                }
            }

            @Override
            public void storeReachable(String where) {
                ServingSnapshots s = holder[0];
                if (s != null) {
                    s.listeners.forEach(l -> l.storeReachable(where));
                }
            }
        };
        SnapshotManager manager;
        try {
            manager = opener.open(ManagerOptions.defaults().withListener(forward));
        } catch (IOException | SnapshotException | IllegalArgumentException e) {
            throw new SnapshotLocationException(location, problem + e.getMessage(), action, e);
        }
        ServingSnapshots serving = new ServingSnapshots(location, kind, null, manager, clock);
        serving.lastChange = new Change(clock.instant(), "opened revision " + manager.revision());
        holder[0] = serving;
        return serving;
    }

    /** @return the URL of a remote store, or null when the location is a path */
    private static URI remoteUrl(String location) {
        String trimmed = location == null ? "" : location.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return null;
        }
        try {
            URI uri = new URI(trimmed);
            if (uri.getHost() == null) {
                throw new URISyntaxException(trimmed, "no host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new SnapshotLocationException(
                    trimmed.replaceAll("//[^/@]*@", "//"),
                    "not a valid URL: " + e.getReason(),
                    "Set it to the base URL of the store, the directory holding registry.json (e.g."
                            + " https://snapshots.example.com/store/).",
                    null);
        }
    }

    private static Path toPath(String location) {
        String trimmed = location == null ? "" : location.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (trimmed.isEmpty()) {
            throw new SnapshotLocationException(
                    String.valueOf(location), "empty", "Set it to a snapshot file or a store directory.", null);
        }
        try {
            if (lower.startsWith("file:")) {
                return Path.of(URI.create(trimmed));
            }
            if (lower.startsWith("classpath:")) {
                throw new SnapshotLocationException(
                        trimmed,
                        "classpath locations cannot be memory-mapped",
                        "Ship the snapshot as a file beside the application and set the property to its path.",
                        null);
            }
            return Path.of(trimmed);
        } catch (IllegalArgumentException e) {
            throw new SnapshotLocationException(
                    trimmed, "not a valid path: " + e.getMessage(), "Set it to a file path or a file: URI.", e);
        }
    }

    /**
     * @return for a remote store, whether it serves from its cache because the server cannot be reached (false
     *     otherwise)
     */
    public boolean servingFromCache() {
        return kind == Kind.REMOTE && manager.metrics().servingFromCache();
    }

    /**
     * Adds a listener for switches, rollbacks and failures of a store, and a remote store's reachability (never
     * called for a single file).
     */
    public void addListener(SnapshotEventListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Chooses the snapshot a request must see: pin header, allowlist, canary share, then stable. Close the
     * selection when the request is done.
     */
    public SnapshotSelection select(RequestContext request) {
        if (kind == Kind.FILE) {
            return new FileSelection(file);
        }
        return new LeaseSelection(manager.select(request));
    }

    /**
     * @return the stable snapshot serving now (what config lookups read); do not close it. Valid at least until
     *     the switch after the next one.
     */
    public synchronized Snapshot stableSnapshot() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (kind == Kind.FILE) {
            return file;
        }
        if (stable == null || !stable.snapshotId().equals(manager.stableId())) {
            // Counted as one selection per switch, not one per lookup.
            SnapshotSelection next = new LeaseSelection(manager.select());
            if (retiring != null) {
                retiring.close();
            }
            retiring = stable;
            stable = next;
        }
        return stable.snapshot();
    }

    /** @return the configured location */
    public String location() {
        return location;
    }

    /** @return a file or a store */
    public Kind kind() {
        return kind;
    }

    /** @return the manager, for a store */
    public Optional<SnapshotManager> manager() {
        return Optional.ofNullable(manager);
    }

    /** @return the ids serving each channel ({@code stable} and each canary; {@code file} for a file) */
    public Map<String, String> channels() {
        return kind == Kind.FILE ? Map.of("file", file.id()) : manager.channels();
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** @return the last change of what is serving */
    public Change lastChange() {
        return lastChange;
    }

    /** @return the last failed switch since the last successful one, if any */
    public Optional<Change> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private void onSwitched(long fromRevision, long toRevision, String stableId, Duration took) {
        lastChange = new Change(
                clock.instant(),
                "registry revision " + fromRevision + " -> " + toRevision + ", stable " + stableId + " (switch took "
                        + took.toMillis() + " ms)");
        lastFailure = null;
        listeners.forEach(l -> l.switched(fromRevision, toRevision, stableId, took));
    }

    private void onRolledBack(String snapshotId, String reason) {
        lastChange = new Change(clock.instant(), "rolled back " + snapshotId + ": " + reason);
        listeners.forEach(l -> l.rolledBack(snapshotId, reason));
    }

    private void onFailed(String what, Throwable error) {
        lastFailure = new Change(clock.instant(), what + ": " + error);
        listeners.forEach(l -> l.failed(what, error));
    }

    /** Stops watching and releases every snapshot. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (kind == Kind.FILE) {
            closeQuietly(file);
            return;
        }
        if (stable != null) {
            stable.close();
        }
        if (retiring != null) {
            retiring.close();
        }
        manager.close();
    }

    private static void closeQuietly(Snapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        try {
            snapshot.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "ServingSnapshots[" + kind + " " + location + "]";
    }

    private static final class FileSelection implements SnapshotSelection {
        private final Snapshot snapshot;

        FileSelection(Snapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public Snapshot snapshot() {
            return snapshot;
        }

        @Override
        public String snapshotId() {
            return snapshot.id();
        }

        @Override
        public String channel() {
            return "file";
        }

        @Override
        public void recordSuccess() {}

        @Override
        public void recordFailure() {}

        @Override
        public void close() {}
    }

    private static final class LeaseSelection implements SnapshotSelection {
        private final SnapshotLease lease;

        LeaseSelection(SnapshotLease lease) {
            this.lease = lease;
        }

        @Override
        public Snapshot snapshot() {
            return lease.snapshot();
        }

        @Override
        public String snapshotId() {
            return lease.snapshotId();
        }

        @Override
        public String channel() {
            return lease.channel();
        }

        @Override
        public void recordSuccess() {
            lease.recordSuccess();
        }

        @Override
        public void recordFailure() {
            lease.recordFailure();
        }

        @Override
        public void close() {
            lease.close();
        }
    }
}
