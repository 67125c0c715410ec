package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.loader.SnapshotMetadata;
import dev.warmstart.snapshot.loader.TrustPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A directory of snapshots and the {@code registry.json} that names them and the channels (stable and canaries).
 *
 * <pre>
 * store/
 *   registry.json            the current state (docs/store.md)
 *   snapshots/&lt;id&gt;.tar       every published snapshot, never modified
 *   history/&lt;revision&gt;.json  every state the registry has had, for audit and {@link #restore}
 *   .lock                    taken around every change, so two processes never lose each other's update
 * </pre>
 *
 * <p>Every change reads the current state, validates, and writes a new revision atomically (temporary file,
 * fsync, rename) after recording it in the history; temporary files a killed writer left are removed first. A
 * snapshot is verified byte for byte, and checked to be the snapshot its record names (id and content hash),
 * when it is published (the copy in the store, not only the source) and whenever it is promoted, rolled back
 * to or restored.
 */
public final class SnapshotStore {
    /** Name of the registry file. */
    public static final String REGISTRY_FILE = "registry.json";

    private final Path dir;
    private final RegistryIo io;
    private final StoreFiles files;
    private final Clock clock;
    private final TrustPolicy trust;

    SnapshotStore(Path dir, RegistryIo io, Clock clock) {
        this(dir, io, clock, null);
    }

    SnapshotStore(Path dir, RegistryIo io, Clock clock, TrustPolicy trust) {
        this.dir = dir.toAbsolutePath().normalize();
        this.io = io;
        this.clock = clock;
        this.files = new StoreFiles(this.dir, io);
        this.trust = trust;
    }

    /**
     * The same store, refusing to publish or promote a snapshot that {@code policy} does not accept (unsigned,
     * signed by an unknown key, or with a bad signature).
     *
     * @param policy the trusted keys, or null to accept unsigned snapshots
     */
    public SnapshotStore withTrust(TrustPolicy policy) {
        return new SnapshotStore(dir, io, clock, policy);
    }

    /**
     * Opens (and creates, when missing) a store directory.
     *
     * @throws IOException when it cannot be created
     */
    public static SnapshotStore open(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("snapshots"));
        Files.createDirectories(dir.resolve("history"));
        return new SnapshotStore(dir, RegistryIo.ATOMIC, Clock.systemUTC());
    }

    /** @return the store directory */
    public Path directory() {
        return dir;
    }

    /** @return the path of the registry file */
    public Path registryFile() {
        return dir.resolve(REGISTRY_FILE);
    }

    /**
     * Reads the current registry (an empty one when the store is new).
     *
     * @throws StoreException when the registry file is malformed
     */
    public StoreRegistry registry() throws IOException {
        try {
            return StoreFiles.parse(registryFile(), "restore an earlier revision from history/ (store restore)");
        } catch (NoSuchFileException e) {
            return StoreRegistry.empty();
        }
    }

    /** @return the file of a registered snapshot */
    public Path snapshotFile(SnapshotRecord record) {
        return dir.resolve(record.file());
    }

    /**
     * Verifies a snapshot file, copies it into the store, verifies the copy and registers it as {@code published}.
     *
     * <p>Publishing a snapshot that is already registered changes no record; when the store's copy of it is
     * missing, damaged or replaced by another file, it is copied again (this is how a store's file is repaired).
     *
     * @return its record
     * @throws SnapshotException when the file fails verification, or the store's trust policy refuses it (nothing
     *     is copied)
     * @throws StoreException when the copy is not what was verified (the file changed while it was published:
     *     nothing is registered), or the id is registered with another content hash
     */
    public SnapshotRecord publish(Path snapshotFile) throws IOException {
        SnapshotMetadata metadata;
        try (Snapshot snapshot = Snapshot.open(snapshotFile)) {
            snapshot.verify();
            if (trust != null) {
                trust.check(snapshot);
            }
            metadata = snapshot.metadata();
        }
        String id = metadata.id();
        String relative = "snapshots/" + id + ".tar";
        StoreRegistry after = change("publish " + id, registry -> {
            SnapshotRecord registered = registry.snapshot(id).orElse(null);
            if (registered != null) {
                if (!registered.contentHash().equals(metadata.contentHash())) {
                    throw new StoreException(
                            snapshotFile + " holds snapshot " + id + " with content hash " + metadata.contentHash()
                                    + ", but " + dir + " registered " + id + " with content hash "
                                    + registered.contentHash() + "; nothing is published (rebuild to get a new id)",
                            null);
                }
                files.copyIn(snapshotFile, snapshotFile(registered), registered);
                return registry;
            }
            SnapshotRecord record = new SnapshotRecord(
                    id,
                    relative,
                    metadata.contentHash(),
                    metadata.created().toString(),
                    metadata.fileBytes(),
                    metadata.provenance(),
                    SnapshotRecord.PUBLISHED,
                    "published",
                    now());
            files.copyIn(snapshotFile, dir.resolve(relative), record);
            List<SnapshotRecord> snapshots = new ArrayList<>(registry.snapshots());
            snapshots.add(record);
            return with(
                    registry,
                    snapshots,
                    registry.stable(),
                    registry.stableGuard(),
                    registry.previousStable(),
                    registry.canaries());
        });
        return after.snapshot(id).orElseThrow();
    }

    /**
     * Makes a published snapshot the stable one; the previous stable is kept for {@link #rollback()}.
     *
     * @param guard the stable channel's automatic-rollback guard, or null for none
     */
    public StoreRegistry promoteStable(String id, Guard guard) throws IOException {
        return change("promote " + id + " to stable", registry -> {
            SnapshotRecord record = requireVerified(registry, id);
            if (id.equals(registry.stable())) {
                return with(registry, registry.snapshots(), id, guard, registry.previousStable(), registry.canaries());
            }
            List<String> previous = new ArrayList<>(registry.previousStable());
            List<SnapshotRecord> snapshots = new ArrayList<>(registry.snapshots());
            if (registry.stable() != null) {
                previous = StoreRetention.pushPrevious(previous, registry.stable(), id);
                replace(snapshots, registry.stable(), SnapshotRecord.RETIRED, "replaced by " + id);
            }
            replace(snapshots, record.id(), SnapshotRecord.STABLE, "promoted to stable");
            List<Canary> canaries = new ArrayList<>(registry.canaries());
            canaries.removeIf(c -> c.snapshotId().equals(id));
            return with(registry, snapshots, id, guard, previous, canaries);
        });
    }

    /**
     * Sends a canary's share of traffic to a published snapshot. Changing an existing canary keeps its bucket
     * range, so its keys stay on it when its percentage grows.
     *
     * @throws IllegalArgumentException when the percentages of all canaries would overlap (exceed 100%)
     */
    public StoreRegistry promoteCanary(String name, String id, CanaryRule rule, Guard guard) throws IOException {
        return change("promote " + id + " to canary '" + name + "' at " + rule.percent() + "%", registry -> {
            requireVerified(registry, id);
            if (id.equals(registry.stable())) {
                throw new IllegalArgumentException(id + " is already the stable snapshot");
            }
            List<Canary> canaries = new ArrayList<>(registry.canaries());
            Canary existing = registry.canary(name).orElse(null);
            Canary canary;
            if (existing != null) {
                Routing.checkFree(canaries, existing.firstBucket(), existing.direction(), rule.buckets(), name);
                canary = new Canary(name, id, rule, guard, existing.firstBucket(), existing.direction());
                canaries.set(canaries.indexOf(existing), canary);
            } else {
                int[] place = Routing.place(canaries, rule.buckets());
                canary = new Canary(name, id, rule, guard, place[0], place[1]);
                canaries.add(canary);
            }
            List<SnapshotRecord> snapshots = new ArrayList<>(registry.snapshots());
            if (existing != null && !existing.snapshotId().equals(id)) {
                replace(
                        snapshots,
                        existing.snapshotId(),
                        SnapshotRecord.RETIRED,
                        "canary '" + name + "' moved to " + id);
            }
            replace(snapshots, id, SnapshotRecord.CANARY, "canary '" + name + "' at " + rule.percent() + "%");
            return with(
                    registry,
                    snapshots,
                    registry.stable(),
                    registry.stableGuard(),
                    registry.previousStable(),
                    canaries);
        });
    }

    /** Stops a canary; its snapshot becomes {@code retired}. */
    public StoreRegistry removeCanary(String name) throws IOException {
        return change("remove canary '" + name + "'", registry -> {
            Canary canary = registry.canary(name)
                    .orElseThrow(() -> new IllegalArgumentException("no canary named '" + name + "'"));
            List<Canary> canaries = new ArrayList<>(registry.canaries());
            canaries.remove(canary);
            List<SnapshotRecord> snapshots = new ArrayList<>(registry.snapshots());
            replace(snapshots, canary.snapshotId(), SnapshotRecord.RETIRED, "canary '" + name + "' removed");
            return with(
                    registry,
                    snapshots,
                    registry.stable(),
                    registry.stableGuard(),
                    registry.previousStable(),
                    canaries);
        });
    }

    /** Sets stable back to the previous stable snapshot; the current one is marked {@code rolled-back}. */
    public StoreRegistry rollback() throws IOException {
        return change("rollback", registry -> {
            if (registry.previousStable().isEmpty()) {
                throw new IllegalArgumentException("there is no previous stable snapshot to roll back to");
            }
            return rollbackTo(registry, registry.previousStable().get(0), "rolled back by hand");
        });
    }

    /** Sets stable to a given registered snapshot; the current one is marked {@code rolled-back}. */
    public StoreRegistry rollbackTo(String id) throws IOException {
        return change("rollback to " + id, registry -> rollbackTo(registry, id, "rolled back by hand to " + id));
    }

    /**
     * Takes a misbehaving snapshot out of service: a canary serving it is removed; if it is stable, the previous
     * stable takes its place; if a newer promotion made it a previous stable meanwhile, it is no longer one. Marked
     * {@code rolled-back} with the reason.
     */
    public StoreRegistry markRolledBack(String id, String reason) throws IOException {
        return change("automatic rollback of " + id, registry -> {
            List<Canary> canaries = new ArrayList<>(registry.canaries());
            boolean wasCanary = canaries.removeIf(c -> c.snapshotId().equals(id));
            if (id.equals(registry.stable()) && !registry.previousStable().isEmpty()) {
                // The fallback is not guarded: one automatic rollback at a time, an operator re-arms the guard
                // with the next promotion (a failing dependency must not walk back through the whole history).
                return rollbackTo(
                        with(
                                registry,
                                registry.snapshots(),
                                registry.stable(),
                                null,
                                registry.previousStable(),
                                canaries),
                        registry.previousStable().get(0),
                        reason);
            }
            // A replica's record can arrive after an operator promoted a newer stable: the tripped snapshot is then
            // a previous stable, and the next rollback would serve it again. It leaves the fallbacks too.
            List<String> previous = new ArrayList<>(registry.previousStable());
            boolean wasFallback = previous.remove(id);
            if (!wasCanary && !wasFallback) {
                return registry; // already out of service: nothing to change
            }
            List<SnapshotRecord> snapshots = new ArrayList<>(registry.snapshots());
            replace(snapshots, id, SnapshotRecord.ROLLED_BACK, reason);
            return with(registry, snapshots, registry.stable(), registry.stableGuard(), previous, canaries);
        });
    }

    /** @return the revisions kept in {@code history/}, oldest first */
    public List<StoreRegistry> history() throws IOException {
        List<StoreRegistry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("history"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList()) {
                out.add(StoreFiles.parse(f, "move it out of history/ to list the other revisions"));
            }
        }
        return out;
    }

    /** Makes an earlier revision's channels and statuses current again, as a new revision. */
    public StoreRegistry restore(long revision) throws IOException {
        Path file = historyFile(revision);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no revision " + revision + " in " + dir.resolve("history"));
        }
        StoreRegistry old = StoreFiles.parse(file, "restore another revision");
        return change("restore revision " + revision, registry -> {
            for (Canary c : old.canaries()) {
                requireVerified(old, c.snapshotId());
            }
            if (old.stable() != null) {
                requireVerified(old, old.stable());
            }
            return with(
                    registry, old.snapshots(), old.stable(), old.stableGuard(), old.previousStable(), old.canaries());
        });
    }

    // ---- internals ----

    private StoreRegistry rollbackTo(StoreRegistry registry, String id, String reason) {
        requireVerified(registry, id);
        List<SnapshotRecord> snapshots = new ArrayList<>(registry.snapshots());
        if (registry.stable() != null && !registry.stable().equals(id)) {
            replace(snapshots, registry.stable(), SnapshotRecord.ROLLED_BACK, reason);
        }
        replace(snapshots, id, SnapshotRecord.STABLE, reason);
        List<String> previous = new ArrayList<>(registry.previousStable());
        previous.remove(id);
        List<Canary> canaries = new ArrayList<>(registry.canaries());
        canaries.removeIf(c -> c.snapshotId().equals(id));
        return with(registry, snapshots, id, registry.stableGuard(), previous, canaries);
    }

    /**
     * @return the record of {@code id}, once its file verified and proved to be the snapshot the record names
     * @throws StoreException when it is not usable, saying what to do
     */
    private SnapshotRecord requireVerified(StoreRegistry registry, String id) {
        SnapshotRecord record = registry.snapshot(id)
                .orElseThrow(() ->
                        new IllegalArgumentException("no snapshot '" + id + "' in " + dir + "; publish it first"));
        try (Snapshot snapshot = StoredSnapshots.open(snapshotFile(record), record, StoredSnapshots.Progress.NONE)) {
            if (trust != null) {
                trust.check(snapshot);
            }
            return record;
        } catch (StoreException e) {
            throw new StoreException(e.getMessage() + "; " + id + " is not promoted", e);
        } catch (SnapshotException e) { // the trust policy refused it
            throw new StoreException("snapshot " + id + " is not promoted: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreException("snapshot " + id + " cannot be closed (" + e + "); it is not promoted", e);
        }
    }

    private void replace(List<SnapshotRecord> snapshots, String id, String status, String reason) {
        String at = now();
        for (int i = 0; i < snapshots.size(); i++) {
            if (snapshots.get(i).id().equals(id)) {
                snapshots.set(i, snapshots.get(i).withStatus(status, reason, at));
            }
        }
    }

    private StoreRegistry with(
            StoreRegistry r,
            List<SnapshotRecord> snapshots,
            String stable,
            Guard stableGuard,
            List<String> previous,
            List<Canary> canaries) {
        return new StoreRegistry(
                r.revision(), r.updated(), r.change(), snapshots, stable, stableGuard, previous, canaries);
    }

    /**
     * Applies one change under the store's lock: read, change, and — when anything changed — write the new
     * revision to the history and then to {@code registry.json}.
     */
    private StoreRegistry change(String what, UnaryOperator<StoreRegistry> change) throws IOException {
        return files.locked(() -> {
            StoreRegistry current = registry();
            StoreRegistry changed = change.apply(current);
            if (changed == current) {
                return current;
            }
            StoreRegistry next = new StoreRegistry(
                    current.revision() + 1,
                    now(),
                    what,
                    changed.snapshots(),
                    changed.stable(),
                    changed.stableGuard(),
                    changed.previousStable(),
                    changed.canaries());
            byte[] json = next.toJson().getBytes(StandardCharsets.UTF_8);
            io.write(historyFile(next.revision()), json);
            io.write(registryFile(), json);
            return next;
        });
    }

    /** For {@link StorePrune}: one change under the store's lock, written like every other. */
    StoreRegistry changeRegistry(String what, UnaryOperator<StoreRegistry> change) throws IOException {
        return change(what, change);
    }

    /** For {@link StorePrune}: {@code work} under the store's lock. */
    <T> T underLock(StoreFiles.LockedWork<T> work) throws IOException {
        return files.locked(work);
    }

    private Path historyFile(long revision) {
        return dir.resolve("history").resolve(String.format(Locale.ROOT, "%08d.json", revision));
    }

    private String now() {
        return Instant.now(clock).toString();
    }
}
