package dev.warmstart.snapshot.micrometer;

import dev.warmstart.snapshot.store.ManagerMetrics;
import dev.warmstart.snapshot.store.SnapshotManager;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters over a {@link SnapshotManager}'s {@link ManagerMetrics}, read on each scrape (nothing is
 * copied or double-counted). Needs only Micrometer and the loader; Spring is optional.
 *
 * <pre>{@code
 * WarmstartMeterBinder binder = new WarmstartMeterBinder(manager);
 * binder.bindTo(registry);
 * // after a switch brings new canaries or snapshots (e.g. from a SnapshotEventListener):
 * binder.refresh();
 * }</pre>
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><td>{@code warmstart.snapshot.selections} (counter, tag {@code channel})</td><td>requests routed</td></tr>
 * <tr><td>{@code warmstart.snapshot.outcomes} (counter, tags {@code snapshot}, {@code outcome})</td>
 *     <td>successes and failures recorded</td></tr>
 * <tr><td>{@code warmstart.snapshot.switches}, {@code .switches.failed}, {@code .rollbacks} (counters)</td>
 *     <td>hot switches, failed switches, automatic rollbacks</td></tr>
 * <tr><td>{@code warmstart.snapshot.switch.last}, {@code .switch.max}, {@code .verify.last} (gauges, seconds)</td>
 *     <td>time of the last and slowest switch, and of the last open-and-verify</td></tr>
 * <tr><td>{@code warmstart.snapshot.revision} (gauge)</td><td>registry revision serving</td></tr>
 * </table>
 */
public final class WarmstartMeterBinder implements MeterBinder {
    /** Prefix of every meter name. */
    public static final String PREFIX = "warmstart.snapshot";

    private final SnapshotManager manager;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    /** @param manager the manager whose metrics are exported */
    public WarmstartMeterBinder(SnapshotManager manager) {
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ManagerMetrics m = manager.metrics();
        FunctionCounter.builder(PREFIX + ".switches", m, ManagerMetrics::switches)
                .description("registry states switched to")
                .register(registry);
        FunctionCounter.builder(PREFIX + ".switches.failed", m, ManagerMetrics::failedSwitches)
                .description("registry states that failed to map or verify; the previous kept serving")
                .register(registry);
        FunctionCounter.builder(PREFIX + ".rollbacks", m, ManagerMetrics::rollbacks)
                .description("snapshots taken out of service by their guard")
                .register(registry);
        seconds(registry, PREFIX + ".switch.last", m, ManagerMetrics::lastSwitchNanos, "time of the last switch");
        seconds(registry, PREFIX + ".switch.max", m, ManagerMetrics::maxSwitchNanos, "time of the slowest switch");
        seconds(
                registry,
                PREFIX + ".verify.last",
                m,
                ManagerMetrics::lastVerifyNanos,
                "time of the last snapshot open and full verification");
        Gauge.builder(PREFIX + ".revision", manager, SnapshotManager::revision)
                .description("registry revision serving")
                .register(registry);
        registries.add(registry);
        register(registry);
    }

    /**
     * Registers meters for channels and snapshots that appeared since the last call (a new canary, a new
     * stable). Cheap and idempotent; meters of retired channels stay, keeping their final counts.
     */
    public void refresh() {
        for (MeterRegistry registry : registries) {
            register(registry);
        }
    }

    private void register(MeterRegistry registry) {
        ManagerMetrics m = manager.metrics();
        Map<String, String> channels = manager.channels();
        for (String channel : channels.keySet()) {
            FunctionCounter.builder(PREFIX + ".selections", m, metrics -> count(metrics.selectionsByChannel(), channel))
                    .tag("channel", channel)
                    .description("requests routed to each channel")
                    .register(registry);
        }
        for (String id : new java.util.TreeSet<>(channels.values())) {
            FunctionCounter.builder(PREFIX + ".outcomes", m, metrics -> count(metrics.successesBySnapshot(), id))
                    .tags("snapshot", id, "outcome", "success")
                    .description("outcomes recorded per snapshot")
                    .register(registry);
            FunctionCounter.builder(PREFIX + ".outcomes", m, metrics -> count(metrics.failuresBySnapshot(), id))
                    .tags("snapshot", id, "outcome", "failure")
                    .description("outcomes recorded per snapshot")
                    .register(registry);
        }
    }

    private static double count(Map<String, Long> counts, String key) {
        Long n = counts.get(key);
        return n == null ? 0 : n;
    }

    private static void seconds(
            MeterRegistry registry,
            String name,
            ManagerMetrics metrics,
            ToDoubleFunction<ManagerMetrics> nanos,
            String description) {
        Gauge.builder(name, metrics, m -> nanos.applyAsDouble(m) / TimeUnit.SECONDS.toNanos(1))
                .baseUnit("seconds")
                .description(description)
                .register(registry);
    }
}
