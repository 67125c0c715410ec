package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a registry revision into the routing state that serves it: takes every snapshot the revision needs from
 * {@link VerifiedSnapshots} (verified ahead in the background, or verified now), and only then swaps the new state
 * in with one reference update. When anything fails, nothing changes: the old state keeps serving and the failure
 * is reported; what was verified for the revision stays verified until a state is swapped in without it.
 */
final class RevisionApplier {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final RevisionSource source;
    private final ServingState serving;
    private final ManagerOptions options;
    private final ManagerMetrics metrics;
    private final FailureReporter failures;
    /** Builds of one revision's state before giving up to the next poll, when guards keep changing the state. */
    private static final int MAX_ATTEMPTS = 3;

    /** Serialises appliers (watcher and {@code refresh()}); the serving lock is taken only for the swap itself. */
    private final Object applyLock = new Object();

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
        return refresh(false);
    }

    /**
     * {@link #refresh()} for the watcher thread: once a new state serves, it yields before the rest of the switch.
     * Only the watcher: a caller of {@code refresh()} may be the very thread whose next request is to see the new
     * state, and yielding would hand its core to whatever else runs on the machine.
     */
    boolean refreshFromWatcher() {
        return refresh(true);
    }

    private boolean refresh(boolean yieldAfterSwap) {
        if (serving.isClosed()) {
            return false;
        }
        try {
            StoreRegistry registry = source.read();
            if (registry.revision() == serving.require().revision) {
                return false;
            }
            boolean applied = apply(registry, yieldAfterSwap);
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
     * Builds the routing state of {@code registry} and swaps it in. Snapshots verified ahead (or serving) are only
     * looked up; any other is verified here first. After the swap, the previous stable and the newest published
     * snapshots are verified in the background, so the next promotion or rollback finds them ready.
     *
     * @return false when nothing changed (a snapshot failed, or the revision is serving already)
     * @throws StoreException when the first state cannot be built (there is nothing else to serve)
     */
    boolean apply(StoreRegistry registry) {
        return apply(registry, false);
    }

    private boolean apply(StoreRegistry registry, boolean yieldAfterSwap) {
        synchronized (applyLock) {
            if (serving.isClosed()) {
                return false;
            }
            long start = System.nanoTime();
            RoutingState first = serving.current();
            if (first != null && first.revision == registry.revision()) {
                return false; // applied meanwhile by the watcher or another refresh()
            }
            try {
                for (int attempt = 1; ; attempt++) {
                    serving.settleTrips(registry);
                    RoutingState before = serving.current();
                    Plan plan = new Plan(registry);
                    RoutingState next;
                    try {
                        next = plan.build();
                    } catch (IOException | RuntimeException | Error e) {
                        // Only a guard changes the state outside the apply lock: one that tripped meanwhile may have
                        // released a snapshot this state was still verifying, which is no fault of the revision.
                        if (serving.current() != before && attempt < MAX_ATTEMPTS) {
                            continue;
                        }
                        throw e;
                    }
                    RoutingState replaced;
                    long took;
                    List<ServedSnapshot> released;
                    synchronized (serving.lock) {
                        if (serving.isClosed()) {
                            return false;
                        }
                        // A guard may have tripped (and released a snapshot) while this state was built unlocked.
                        if (!plan.stillValid(next)) {
                            if (attempt < MAX_ATTEMPTS) {
                                continue;
                            }
                            throw new StoreException(
                                    "registry revision " + registry.revision() + " raced with automatic rollbacks"
                                            + " three times; it is applied on the next poll",
                                    null);
                        }
                        replaced = serving.current();
                        took = System.nanoTime() - start;
                        // Counted before the new state is visible, so whoever sees the new stable sees the count.
                        metrics.switched(took);
                        released = serving.replace(next, () -> plan.ahead(next));
                    }
                    if (yieldAfterSwap) {
                        // The new state is serving. The watcher woke up for the registry change and may have taken
                        // the core of a request thread (on a small machine, one about to see the new state): let it
                        // run first. Releasing what the new state no longer keeps (an unmapping, on Java 22+), the
                        // log line and the listener can wait that long.
                        Thread.yield();
                    }
                    for (ServedSnapshot s : released) {
                        s.retire(); // closed now, or when its last lease is released
                    }
                    LOG.log(
                            System.Logger.Level.INFO,
                            () -> "snapshot store " + source.location() + ": serving revision " + registry.revision()
                                    + " (" + describe(next) + ") after " + millis(took) + " ms");
                    options.listener()
                            .switched(
                                    replaced == null ? -1 : replaced.revision,
                                    registry.revision(),
                                    next.stable.id,
                                    Duration.ofNanos(took));
                    return true;
                }
            } catch (IOException | RuntimeException | Error e) {
                if (first == null) {
                    throw e instanceof StoreException s
                            ? s
                            : new StoreException(
                                    "registry revision " + registry.revision() + " of " + source.location()
                                            + " cannot be served: " + FailureReporter.describe(e),
                                    e);
                }
                RoutingState still = serving.current();
                failures.report(
                        "registry revision " + registry.revision() + " is not applied; revision "
                                + (still == null ? first.revision : still.revision) + " keeps serving",
                        e);
                return false;
            }
        }
    }

    /** The state a registry asks for, less what guards took out of service here. */
    private final class Plan {
        final StoreRegistry registry;
        final String stableId;
        final Guard stableGuard;
        final List<String> previous;
        final List<Canary> canaries;

        Plan(StoreRegistry registry) {
            this.registry = registry;
            List<String> prev = new ArrayList<>(registry.previousStable());
            String stable = registry.stable();
            Guard guard = registry.stableGuard();
            List<Canary> c = new ArrayList<>(registry.canaries());
            if (serving.anyTripped()) {
                prev.removeIf(serving::isTripped);
                if (serving.isTripped(stable) && !prev.isEmpty()) {
                    stable = prev.remove(0);
                    guard = null;
                }
                c.removeIf(x -> serving.isTripped(x.snapshotId()));
            }
            this.stableId = stable;
            this.stableGuard = guard;
            this.previous = prev;
            this.canaries = c;
        }

        RoutingState build() throws IOException {
            ServedSnapshot stable = serve(registry, stableId);
            List<RoutingState.ServedCanary> servedCanaries = new ArrayList<>();
            for (Canary c : canaries) {
                servedCanaries.add(new RoutingState.ServedCanary(c, serve(registry, c.snapshotId())));
            }
            ServedSnapshot fallback = null;
            if (stableGuard != null && !previous.isEmpty()) {
                try {
                    fallback = serve(registry, previous.get(0));
                } catch (IOException | RuntimeException | Error e) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "previous stable snapshot " + previous.get(0)
                                    + " cannot be opened; the stable guard has nothing to fall back to: "
                                    + FailureReporter.describe(e));
                }
            }
            return new RoutingState(registry.revision(), stable, stableGuard, fallback, servedCanaries);
        }

        /** No snapshot of {@code next} was tripped or released since the plan was made. */
        boolean stillValid(RoutingState next) {
            for (ServedSnapshot s : next.byId.values()) {
                if (s.isRetired() || serving.isTripped(s.id)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * What to keep verified besides {@code next}: the previous stable (a rollback is then a reference swap), and
         * the newest published snapshots (a promotion is then a reference swap).
         */
        List<SnapshotRecord> ahead(RoutingState next) {
            List<SnapshotRecord> out = new ArrayList<>();
            if (!previous.isEmpty() && !next.byId.containsKey(previous.get(0))) {
                registry.snapshot(previous.get(0)).ifPresent(out::add);
            }
            for (String id : StoreRetention.candidateIds(registry, options.preverifyPublished())) {
                if (!next.byId.containsKey(id) && !serving.isTripped(id)) {
                    registry.snapshot(id).ifPresent(out::add);
                }
            }
            return out;
        }
    }

    private ServedSnapshot serve(StoreRegistry registry, String id) throws IOException {
        SnapshotRecord record = registry.snapshot(id)
                .orElseThrow(() -> new StoreException(
                        "the registry names snapshot " + id + " but does not list it; restore an earlier revision"
                                + " from history/ ('store restore')",
                        null));
        ServedSnapshot served = serving.verified().obtain(record);
        served.useWindow(windowOf(registry, id));
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
