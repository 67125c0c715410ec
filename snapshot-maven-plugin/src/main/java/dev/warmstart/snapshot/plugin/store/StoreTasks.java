package dev.warmstart.snapshot.plugin.store;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.store.CanaryRule;
import dev.warmstart.snapshot.store.Guard;
import dev.warmstart.snapshot.store.SnapshotRecord;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.store.StoreReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The store goals' work, without Maven: each method performs one store operation and reports it line by line.
 * Refusals (an unknown id, a snapshot that fails verification, canaries over 100%...) are
 * {@link StoreTaskException}s with a message that says what to do.
 */
public final class StoreTasks {
    private final Path storeDirectory;
    private final Consumer<String> log;
    private final TrustPolicy trust;

    /**
     * @param storeDirectory the store
     * @param log receives one line per call
     */
    public StoreTasks(Path storeDirectory, Consumer<String> log) {
        this(storeDirectory, log, null);
    }

    private StoreTasks(Path storeDirectory, Consumer<String> log, TrustPolicy trust) {
        this.storeDirectory = storeDirectory;
        this.log = log;
        this.trust = trust;
    }

    /**
     * @param policy the keys whose snapshots may be published and promoted, or null for any snapshot
     * @return these tasks refusing a snapshot the policy does not accept (unsigned, unknown key, bad signature)
     */
    public StoreTasks withTrust(TrustPolicy policy) {
        return new StoreTasks(storeDirectory, log, policy);
    }

    /** Verifies {@code file}, copies it into the store and registers it. */
    public SnapshotRecord publish(Path file) throws IOException, StoreTaskException {
        if (!Files.isRegularFile(file)) {
            throw new StoreTaskException(
                    "no snapshot at " + file + "; build it first (mvn package) or pass" + " -Dsnapshot.file=PATH");
        }
        SnapshotRecord record = refusing(
                () -> SnapshotStore.open(storeDirectory).withTrust(trust).publish(file));
        log.accept("Published snapshot " + record.id() + " (" + record.size() + " bytes) to " + storeDirectory);
        return record;
    }

    /**
     * Promotes a snapshot to stable or to a canary.
     *
     * @param id the snapshot id, or null for the id of {@code builtFile}
     * @param builtFile the snapshot the build wrote (used when {@code id} is null)
     * @param channel {@code stable} or a canary's name
     * @param percent the canary's share, 0..100 (ignored for stable)
     * @param allowlist user or tenant ids that always get the canary (ignored for stable)
     * @param pinnable whether requests may pin the canary's id
     * @param guard the automatic-rollback guard, or null for none
     */
    public StoreRegistry promote(
            String id,
            Path builtFile,
            String channel,
            double percent,
            Set<String> allowlist,
            boolean pinnable,
            Guard guard)
            throws IOException, StoreTaskException {
        String target = id != null && !id.isBlank() ? id : idOf(builtFile);
        StoreRegistry registry = refusing(() -> {
            SnapshotStore store = existing();
            if (channel == null || channel.isBlank() || channel.equals("stable")) {
                return store.promoteStable(target, guard);
            }
            return store.promoteCanary(channel, target, new CanaryRule(percent, allowlist, pinnable), guard);
        });
        report(registry);
        return registry;
    }

    /** Stops a canary. */
    public StoreRegistry removeCanary(String name) throws IOException, StoreTaskException {
        StoreRegistry registry = refusing(() -> existing().removeCanary(name));
        report(registry);
        return registry;
    }

    /** Sets stable back to the previous stable, or to {@code id} when given. */
    public StoreRegistry rollback(String id) throws IOException, StoreTaskException {
        StoreRegistry registry = refusing(() ->
                id == null || id.isBlank() ? existing().rollback() : existing().rollbackTo(id));
        report(registry);
        return registry;
    }

    /** Logs the current state and every revision. */
    public List<StoreRegistry> history() throws IOException, StoreTaskException {
        SnapshotStore store = existing();
        List<StoreRegistry> revisions = refusing(store::history);
        StoreReport.status(refusing(store::registry)).forEach(log);
        log.accept("history (" + revisions.size() + " revisions, oldest first):");
        StoreReport.history(revisions).forEach(log);
        return revisions;
    }

    private void report(StoreRegistry registry) {
        log.accept("Store " + storeDirectory + " is at revision " + registry.revision() + ": " + registry.change());
        StoreReport.status(registry).stream().skip(1).forEach(log);
    }

    private SnapshotStore existing() throws IOException, StoreTaskException {
        if (!Files.isRegularFile(storeDirectory.resolve(SnapshotStore.REGISTRY_FILE))) {
            throw new StoreTaskException("no store at " + storeDirectory + "; publish a snapshot into it first"
                    + " (snapshot:publish -Dsnapshot.store=" + storeDirectory + ")");
        }
        return SnapshotStore.open(storeDirectory).withTrust(trust);
    }

    /**
     * @return the id of the snapshot in {@code builtFile}
     * @throws StoreTaskException when there is no such file or it is not a snapshot
     */
    public static String idOf(Path builtFile) throws IOException, StoreTaskException {
        if (builtFile == null || !Files.isRegularFile(builtFile)) {
            throw new StoreTaskException(
                    "say which snapshot to use with -Dsnapshot.id=ID (no built snapshot at " + builtFile + ")");
        }
        try (Snapshot snapshot = Snapshot.open(builtFile)) {
            return snapshot.id();
        } catch (SnapshotException e) {
            throw new StoreTaskException(e.getMessage(), e);
        }
    }

    private interface Operation<T> {
        T run() throws IOException, StoreTaskException;
    }

    private static <T> T refusing(Operation<T> operation) throws IOException, StoreTaskException {
        try {
            return operation.run();
        } catch (SnapshotException | IllegalArgumentException e) {
            throw new StoreTaskException(e.getMessage(), e);
        }
    }
}
