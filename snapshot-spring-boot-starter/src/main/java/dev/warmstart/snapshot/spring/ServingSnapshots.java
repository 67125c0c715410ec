package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.store.ManagerOptions;
import dev.warmstart.snapshot.store.RequestContext;
import dev.warmstart.snapshot.store.SnapshotEventListener;
import dev.warmstart.snapshot.store.SnapshotLease;
import dev.warmstart.snapshot.store.SnapshotManager;
import dev.warmstart.snapshot.store.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
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
 * snapshot, no routing) or a store directory (a {@link SnapshotManager}: stable, canaries, hot switches,
 * automatic rollback).
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
        STORE
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
        return open(location, pollInterval, Clock.systemUTC());
    }

    static ServingSnapshots open(String location, Duration pollInterval, Clock clock) {
        Path path = toPath(location);
        if (Files.isDirectory(path)) {
            return openStore(location, path, pollInterval, clock);
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

    private static ServingSnapshots openStore(String location, Path dir, Duration pollInterval, Clock clock) {
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
        };
        SnapshotManager manager;
        try {
            manager = SnapshotManager.open(
                    dir,
                    ManagerOptions.defaults().withPollInterval(pollInterval).withListener(forward));
        } catch (IOException | SnapshotException e) {
            throw new SnapshotLocationException(
                    location,
                    "cannot serve the store directory: " + e.getMessage(),
                    "Publish and promote a snapshot into that store (mvn snapshot:publish snapshot:promote"
                            + " -Dsnapshot.store=" + dir + "), or point the property at a snapshot file.",
                    e);
        }
        ServingSnapshots serving = new ServingSnapshots(location, Kind.STORE, null, manager, clock);
        serving.lastChange = new Change(clock.instant(), "opened revision " + manager.revision());
        holder[0] = serving;
        return serving;
    }

    private static Path toPath(String location) {
        String trimmed = location == null ? "" : location.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (trimmed.isEmpty()) {
            throw new SnapshotLocationException(
                    String.valueOf(location), "empty", "Set it to a snapshot file or a store directory.", null);
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw new SnapshotLocationException(
                    trimmed,
                    "remote stores are not supported by this version",
                    "Copy the store to local disk (or mount it) and set the property to that directory, or to a"
                            + " single snapshot file.",
                    null);
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

    /** Adds a listener for switches, rollbacks and failures of a store (never called for a single file). */
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
