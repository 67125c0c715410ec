package dev.warmstart.snapshot.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SnapshotManager} watches its store and reports.
 *
 * @param pollInterval how often the registry is re-read, events or not (default 1 s)
 * @param useWatchService whether to also wait on file-system events for faster switches (default true; turn
 *     off on file systems that do not deliver them)
 * @param listener receives events (default: none)
 * @param registerMBean whether to expose metrics over JMX (default false)
 * @param clock time source for the outcome windows (tests inject one)
 */
public record ManagerOptions(
        Duration pollInterval,
        boolean useWatchService,
        SnapshotEventListener listener,
        boolean registerMBean,
        Clock clock) {

    /** Checks the values. */
    public ManagerOptions {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
    }

    /** @return the defaults */
    public static ManagerOptions defaults() {
        return new ManagerOptions(
                Duration.ofSeconds(1), true, new SnapshotEventListener() {}, false, Clock.systemUTC());
    }

    /** @return these options with another poll interval */
    public ManagerOptions withPollInterval(Duration interval) {
        return new ManagerOptions(interval, useWatchService, listener, registerMBean, clock);
    }

    /** @return these options with the watch service on or off */
    public ManagerOptions withWatchService(boolean on) {
        return new ManagerOptions(pollInterval, on, listener, registerMBean, clock);
    }

    /** @return these options with a listener */
    public ManagerOptions withListener(SnapshotEventListener l) {
        return new ManagerOptions(pollInterval, useWatchService, l, registerMBean, clock);
    }

    /** @return these options with JMX registration on or off */
    public ManagerOptions withMBean(boolean on) {
        return new ManagerOptions(pollInterval, useWatchService, listener, on, clock);
    }

    /** @return these options with another clock */
    public ManagerOptions withClock(Clock c) {
        return new ManagerOptions(pollInterval, useWatchService, listener, registerMBean, c);
    }
}
