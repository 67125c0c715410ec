package dev.warmstart.snapshot.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Counts each served snapshot's outcomes and takes it out of service when its guard trips: a canary stops
 * getting requests, a guarded stable hands over to the previous stable. The switch happens at once, on the
 * request's thread; recording it in the registry happens on a background thread, and when that fails the
 * snapshot stays out of service in this process anyway.
 */
final class AutomaticRollback {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final RevisionSource source;
    private final ServingState serving;
    private final ManagerMetrics metrics;
    private final SnapshotEventListener listener;
    private final FailureReporter failures;
    private final ExecutorService background;

    AutomaticRollback(
            RevisionSource source,
            ServingState serving,
            ManagerMetrics metrics,
            SnapshotEventListener listener,
            FailureReporter failures) {
        this.source = source;
        this.serving = serving;
        this.metrics = metrics;
        this.listener = listener;
        this.failures = failures;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warmstart-store-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Counts one outcome of {@code snapshotId}; a failure that makes its guard trip takes it out of service. */
    void record(String snapshotId, boolean success) {
        metrics.outcome(snapshotId, success);
        RoutingState current = serving.current();
        if (current == null) {
            return;
        }
        ServedSnapshot served = current.byId.get(snapshotId);
        if (served == null) {
            return; // a request that finished on a snapshot no longer served
        }
        served.outcomes().record(success);
        if (success) {
            return;
        }
        Guard guard = current.guardOf(snapshotId);
        if (guard == null || serving.isTripped(snapshotId)) {
            return;
        }
        long[] totals = served.outcomes().totals();
        long total = totals[0] + totals[1];
        if (guard.trips(totals[1], total)) {
            trip(
                    snapshotId,
                    String.format(
                            Locale.ROOT,
                            "failure rate %.2f%% (%d of %d requests in %s) exceeded %.2f%%",
                            100.0 * totals[1] / total,
                            totals[1],
                            total,
                            guard.window(),
                            100 * guard.maxFailureRate()));
        }
    }

    /** Waits briefly for the registry write of a rollback in progress, then stops. */
    void shutdown() {
        background.shutdown();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void trip(String id, String reason) {
        synchronized (serving.lock) {
            if (serving.isClosed() || !serving.trip(id)) {
                return;
            }
            RoutingState current = serving.current();
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
                listener.failed(
                        "guard of " + id + " tripped with nothing to fall back to", new StoreException(reason, null));
                return;
            }
            serving.replace(next);
        }
        metrics.rolledBack();
        LOG.log(System.Logger.Level.WARNING, "snapshot " + id + " rolled back automatically: " + reason);
        listener.rolledBack(id, reason);
        background.execute(() -> {
            try {
                source.markRolledBack(id, "automatic rollback: " + reason);
            } catch (Exception | Error e) {
                failures.report(
                        "cannot record the rollback of " + id + " in " + source.registryLocation()
                                + "; this service keeps it out of service anyway",
                        e);
            }
        });
    }
}
