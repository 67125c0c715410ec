package dev.warmstart.snapshot.store;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/** A manager's state and metrics over JMX, read live from what is serving. */
final class ManagerMBean implements SnapshotManagerMXBean {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    private final ServingState serving;
    private final ManagerMetrics metrics;

    private ManagerMBean(ServingState serving, ManagerMetrics metrics) {
        this.serving = serving;
        this.metrics = metrics;
    }

    /**
     * Registers the MBean of a manager serving {@code location} in the platform MBean server.
     *
     * @return its name, or null when it cannot be registered (logged: metrics stay readable from Java)
     */
    static ObjectName register(String location, ServingState serving, ManagerMetrics metrics) {
        try {
            ObjectName name =
                    new ObjectName("dev.warmstart.snapshot:type=SnapshotManager,store=" + ObjectName.quote(location));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new ManagerMBean(serving, metrics), name);
            return name;
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot register the snapshot manager's MBean", e);
            return null;
        }
    }

    /** Unregisters what {@link #register} registered; null does nothing. */
    static void unregister(ObjectName name) {
        if (name == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot unregister " + name, e);
        }
    }

    @Override
    public long getRegistryRevision() {
        RoutingState s = serving.current();
        return s == null ? -1 : s.revision;
    }

    @Override
    public String getStableSnapshotId() {
        RoutingState s = serving.current();
        return s == null ? "" : s.stable.id;
    }

    @Override
    public String[] getCanaries() {
        RoutingState s = serving.current();
        if (s == null) {
            return new String[0];
        }
        return s.canaries.stream()
                .map(c -> c.canary().name() + "=" + c.served().id + "@"
                        + c.canary().rule().percent() + "%")
                .toArray(String[]::new);
    }

    @Override
    public long getSelections() {
        return metrics.selections();
    }

    @Override
    public long getSwitches() {
        return metrics.switches();
    }

    @Override
    public long getFailedSwitches() {
        return metrics.failedSwitches();
    }

    @Override
    public long getRollbacks() {
        return metrics.rollbacks();
    }

    @Override
    public long getSuccesses() {
        return metrics.successesBySnapshot().values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    @Override
    public long getFailures() {
        return metrics.failuresBySnapshot().values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    @Override
    public double getLastSwitchMillis() {
        return metrics.lastSwitchNanos() / 1e6;
    }

    @Override
    public double getMaxSwitchMillis() {
        return metrics.maxSwitchNanos() / 1e6;
    }
}
