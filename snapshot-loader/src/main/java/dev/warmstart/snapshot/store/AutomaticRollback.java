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
            trip(snapshotId, guard, totals[1], total);
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

    /**
     * Takes {@code id} out of service. Only the swap happens under the serving lock, and before anything else: the
     * reason's text, the log line, the listener and the registry write come after it, and so does retiring what the
     * new state no longer holds. Closing the tripped snapshot unmaps it at once on Java 22+ (a handshake with every
     * thread, then {@code munmap} of up to the whole file), which neither this request nor anyone waiting for the
     * lock must pay before the previous stable serves; a snapshot a request still holds closes at its last release.
     */
    private void trip(String id, Guard guard, long failed, long total) {
        List<ServedSnapshot> released;
        boolean noFallback = false;
        synchronized (serving.lock) {
            RoutingState current = serving.current();
            // The request judged the state it read; an applier may have swapped in one that no longer guards id
            // (it serves it no more, or only as a fallback): there is then nothing to take out of service.
            if (serving.isClosed() || current == null || current.guardOf(id) == null || !serving.trip(id)) {
                return;
            }
            RoutingState next = without(current, id);
            if (next == null) {
                noFallback = true;
                released = List.of();
            } else {
                // Counted before the new state is visible, so whoever sees the previous stable sees the count.
                metrics.rolledBack();
                released = serving.swap(next);
            }
        }
        String reason = String.format(
                Locale.ROOT,
                "failure rate %.2f%% (%d of %d requests in %s) exceeded %.2f%%",
                100.0 * failed / total,
                failed,
                total,
                guard.window(),
                100 * guard.maxFailureRate());
        if (noFallback) {
            LOG.log(
                    System.Logger.Level.ERROR,
                    "snapshot " + id + " tripped its guard (" + reason
                            + ") but there is no previous stable snapshot to fall back to; it keeps serving");
            listener.failed(
                    "guard of " + id + " tripped with nothing to fall back to", new StoreException(reason, null));
            return;
        }
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
        LOG.log(System.Logger.Level.WARNING, "snapshot " + id + " rolled back automatically: " + reason);
        listener.rolledBack(id, reason);
        for (ServedSnapshot s : released) {
            s.retire(); // closed now, or when its last lease is released
        }
    }

    /**
     * The state {@code current} becomes without {@code id}: without that canary, or for a guarded stable, with the
     * previous stable in its place (and no guard: one automatic fallback at a time). Null when {@code id} is a stable
     * with nothing to fall back to. Plain loops: this runs once per trip, in the interpreter, on a request's thread.
     */
    private static RoutingState without(RoutingState current, String id) {
        List<RoutingState.ServedCanary> canaries = new ArrayList<>(current.canaries.size());
        boolean isCanary = false;
        for (RoutingState.ServedCanary c : current.canaries) {
            if (c.served().id.equals(id)) {
                isCanary = true;
            } else {
                canaries.add(c);
            }
        }
        if (isCanary) {
            return new RoutingState(
                    current.revision, current.stable, current.stableGuard, current.previousStable, canaries);
        }
        if (current.stable.id.equals(id) && current.previousStable != null) {
            return new RoutingState(current.revision, current.previousStable, null, null, current.canaries);
        }
        return null;
    }
}
