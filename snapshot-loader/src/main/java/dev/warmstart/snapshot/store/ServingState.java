package dev.warmstart.snapshot.store;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The routing state a manager serves, and the one lock under which it changes. Readers take {@link #current()}
 * without locking; the applier and the guards replace it whole ({@link #replace}, {@link #swap}), and get back
 * every snapshot that neither the new state uses nor the manager keeps verified ahead ({@link VerifiedSnapshots}),
 * to retire once the new state serves, outside the lock; each closes once its last lease is released.
 */
final class ServingState {
    /** Held around every change of the state, by the applier and by guard rollbacks. */
    final Object lock = new Object();

    private final AtomicReference<RoutingState> state = new AtomicReference<>();
    /** Snapshot ids taken out of service by a guard, until the registry shows them out of service too. */
    private final Set<String> tripped = ConcurrentHashMap.newKeySet();

    private final String location;
    private final VerifiedSnapshots verified;
    private volatile boolean closed;

    ServingState(String location, VerifiedSnapshots verified) {
        this.location = location;
        this.verified = verified;
    }

    /** @return the snapshots this manager holds verified: serving, previous stable, and ahead of promotions */
    VerifiedSnapshots verified() {
        return verified;
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

    /**
     * Serves {@code next}, keeping ahead what is kept ahead now (a guard's rollback). Call under the lock.
     *
     * @return the snapshots no longer kept, for the caller to {@link ServedSnapshot#retire() retire} after the
     *     switch, outside the lock
     */
    List<ServedSnapshot> swap(RoutingState next) {
        state.set(next);
        return verified.drop(next);
    }

    /**
     * Serves {@code next}, then keeps {@code ahead} verified besides it. Call under the lock. The state is published
     * first: deciding what to keep ahead (and starting its verification) is bookkeeping that must not stand between
     * a registry change and the first request on the new state. Nothing can observe the order: readers only read the
     * state, and whoever changes it next waits for this lock.
     *
     * @return the snapshots no longer kept, for the caller to {@link ServedSnapshot#retire() retire} after the switch
     */
    List<ServedSnapshot> replace(RoutingState next, Supplier<List<SnapshotRecord>> ahead) {
        state.set(next);
        verified.ahead(ahead.get());
        return verified.drop(next);
    }

    /** @return whether a guard took {@code id} out of service (and the registry does not show it yet) */
    boolean isTripped(String id) {
        return tripped.contains(id);
    }

    /** @return whether a guard took any snapshot out of service (that the registry does not show yet) */
    boolean anyTripped() {
        return !tripped.isEmpty();
    }

    /** @return true when {@code id} was not tripped before */
    boolean trip(String id) {
        return tripped.add(id);
    }

    /** A trip is settled once the registry shows the snapshot out of service. */
    void settleTrips(StoreRegistry registry) {
        if (tripped.isEmpty()) {
            return; // the common case, on every switch
        }
        tripped.removeIf(id -> registry.snapshot(id)
                .map(r -> !SnapshotRecord.STABLE.equals(r.status()) && !SnapshotRecord.CANARY.equals(r.status()))
                .orElse(true));
    }

    /** Marks the manager closed, so readers stop and no state is applied any more. */
    void markClosed() {
        closed = true;
    }

    /** Takes the state away and releases every snapshot: serving, and kept verified ahead. */
    void closeAll() {
        synchronized (lock) {
            state.set(null);
        }
        verified.closeAll();
    }
}
