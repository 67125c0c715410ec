package dev.warmstart.snapshot.store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The routing state a manager serves, and the one lock under which it changes. Readers take {@link #current()}
 * without locking; the applier and the guards replace it whole with {@link #replace}, which retires every
 * snapshot the new state no longer uses (each closes once its last lease is released).
 */
final class ServingState {
    /** Held around every change of the state, by the applier and by guard rollbacks. */
    final Object lock = new Object();

    private final AtomicReference<RoutingState> state = new AtomicReference<>();
    /** Snapshot ids taken out of service by a guard, until the registry shows them out of service too. */
    private final Set<String> tripped = ConcurrentHashMap.newKeySet();

    private final String location;
    private volatile boolean closed;

    ServingState(String location) {
        this.location = location;
    }

    /** @return what is serving, or null before the first state and after {@link #close()} */
    RoutingState current() {
        return state.get();
    }

    /**
     * @return what is serving
     * @throws IllegalStateException after {@link #close()}
     */
    RoutingState require() {
        RoutingState s = state.get();
        if (closed || s == null) {
            throw new IllegalStateException("the snapshot manager of " + location + " is closed");
        }
        return s;
    }

    boolean isClosed() {
        return closed;
    }

    /** Serves {@code next} instead of {@code old} and retires what only {@code old} used. Call under the lock. */
    void replace(RoutingState old, RoutingState next) {
        state.set(next);
        if (old != null) {
            for (ServedSnapshot s : old.byId.values()) {
                if (!next.byId.containsValue(s)) {
                    s.retire();
                }
            }
        }
    }

    /** @return whether a guard took {@code id} out of service (and the registry does not show it yet) */
    boolean isTripped(String id) {
        return tripped.contains(id);
    }

    /** @return true when {@code id} was not tripped before */
    boolean trip(String id) {
        return tripped.add(id);
    }

    /** A trip is settled once the registry shows the snapshot out of service. */
    void settleTrips(StoreRegistry registry) {
        tripped.removeIf(id -> registry.snapshot(id)
                .map(r -> !SnapshotRecord.STABLE.equals(r.status()) && !SnapshotRecord.CANARY.equals(r.status()))
                .orElse(true));
    }

    /** Marks the manager closed, so readers stop and no state is applied any more. */
    void markClosed() {
        closed = true;
    }

    /** Takes the state away and retires every snapshot in it. */
    void closeAll() {
        synchronized (lock) {
            RoutingState s = state.getAndSet(null);
            if (s != null) {
                for (ServedSnapshot served : s.byId.values()) {
                    served.retire();
                }
            }
        }
    }
}
