package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a registry revision into the routing state that serves it: maps and verifies every snapshot the
 * revision needs that is not open yet, checks each against its record, and only then swaps the new state in with
 * one reference update. When anything fails, nothing changes: what was opened for the revision is closed, the
 * old state keeps serving, and the failure is reported.
 */
final class RevisionApplier {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final RevisionSource source;
    private final ServingState serving;
    private final ManagerOptions options;
    private final ManagerMetrics metrics;
    private final FailureReporter failures;

    RevisionApplier(
            RevisionSource source,
            ServingState serving,
            ManagerOptions options,
            ManagerMetrics metrics,
            FailureReporter failures) {
        this.source = source;
        this.serving = serving;
        this.options = options;
        this.metrics = metrics;
        this.failures = failures;
    }

    /**
     * Reads the registry and applies it when its revision differs from the one serving. Never throws: a failure
     * is reported and the next call tries again.
     *
     * @return whether a new state is serving
     */
    boolean refresh() {
        if (serving.isClosed()) {
            return false;
        }
        try {
            StoreRegistry registry = source.read();
            if (registry.revision() == serving.require().revision) {
                return false;
            }
            boolean applied = apply(registry);
            if (applied) {
                failures.clear();
            }
            return applied;
        } catch (IOException | RuntimeException | Error e) {
            if (!serving.isClosed()) {
                failures.report("cannot apply " + source.registryLocation(), e);
            }
            return false;
        }
    }

    /**
     * Builds the routing state of {@code registry} and swaps it in.
     *
     * @return false when nothing changed (a snapshot failed, or the revision is serving already)
     * @throws StoreException when the first state cannot be built (there is nothing else to serve)
     */
    boolean apply(StoreRegistry registry) {
        synchronized (serving.lock) {
            if (serving.isClosed()) {
                return false;
            }
            long start = System.nanoTime();
            RoutingState current = serving.current();
            if (current != null && current.revision == registry.revision()) {
                return false; // applied meanwhile by the watcher or another refresh()
            }
            serving.settleTrips(registry);

            String stableId = registry.stable();
            Guard stableGuard = registry.stableGuard();
            List<String> previous = new ArrayList<>(registry.previousStable());
            previous.removeIf(serving::isTripped);
            if (serving.isTripped(stableId) && !previous.isEmpty()) {
                stableId = previous.remove(0);
                stableGuard = null;
            }
            List<Canary> canaries = new ArrayList<>(registry.canaries());
            canaries.removeIf(c -> serving.isTripped(c.snapshotId()));

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
                    } catch (IOException | RuntimeException | Error e) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                "previous stable snapshot " + previous.get(0)
                                        + " cannot be opened; the stable guard has nothing to fall back to: "
                                        + FailureReporter.describe(e));
                    }
                }
                RoutingState next =
                        new RoutingState(registry.revision(), stable, stableGuard, fallback, servedCanaries);
                serving.replace(current, next);
                long took = System.nanoTime() - start;
                metrics.switched(took);
                LOG.log(
                        System.Logger.Level.INFO,
                        () -> "snapshot store " + source.location() + ": serving revision " + registry.revision() + " ("
                                + describe(next) + ") after " + millis(took) + " ms");
                options.listener()
                        .switched(
                                current == null ? -1 : current.revision,
                                registry.revision(),
                                stable.id,
                                Duration.ofNanos(took));
                return true;
            } catch (IOException | RuntimeException | Error e) {
                for (ServedSnapshot s : opened.values()) {
                    s.retire();
                }
                if (current == null) {
                    throw e instanceof StoreException s
                            ? s
                            : new StoreException(
                                    "registry revision " + registry.revision() + " of " + source.location()
                                            + " cannot be served: " + FailureReporter.describe(e),
                                    e);
                }
                failures.report(
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
                .orElseThrow(() -> new StoreException(
                        "the registry names snapshot " + id + " but does not list it; restore an earlier revision"
                                + " from history/ ('store restore')",
                        null));
        Snapshot snapshot = StoredSnapshots.open(source.snapshotFile(record), record, new StoredSnapshots.Progress() {
            @Override
            public void opened() {
                options.listener().opened(id);
            }

            @Override
            public void verified(long nanos) {
                metrics.verified(nanos);
                options.listener().verified(id, Duration.ofNanos(nanos));
            }
        });
        if (options.trust() != null) { // trust: an unsigned or untrusted snapshot is never swapped in
            try {
                options.trust().check(snapshot);
            } catch (RuntimeException e) {
                snapshot.close();
                throw new StoreException("snapshot " + id + " is not trusted: " + e.getMessage(), e);
            }
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

    static String describe(RoutingState s) {
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
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
