package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.TrustPolicy;
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
 * @param trust the keys whose snapshots may be served, or null to serve unsigned snapshots too (default null);
 *     with a policy, a registry change naming an unsigned or untrusted snapshot is refused whole
 * @param preverifyPublished how many of the newest published snapshots (registered, serving nothing yet) the
 *     manager verifies in the background as soon as a registry lists them — and, from a remote store, downloads
 *     — so that promoting one only swaps a reference (default {@value #DEFAULT_PREVERIFY_PUBLISHED}; 0: none,
 *     promotions then verify on the switch). The previous stable is always kept verified, for rollbacks.
 */
public record ManagerOptions(
        Duration pollInterval,
        boolean useWatchService,
        SnapshotEventListener listener,
        boolean registerMBean,
        Clock clock,
        TrustPolicy trust,
        int preverifyPublished) {

    /** The newest published snapshots verified ahead of their promotion, by default. */
    public static final int DEFAULT_PREVERIFY_PUBLISHED = 2;

    /** Options with the default {@link #preverifyPublished} (the form before verification ahead existed). */
    public ManagerOptions(
            Duration pollInterval,
            boolean useWatchService,
            SnapshotEventListener listener,
            boolean registerMBean,
            Clock clock,
            TrustPolicy trust) {
        this(pollInterval, useWatchService, listener, registerMBean, clock, trust, DEFAULT_PREVERIFY_PUBLISHED);
    }

    /** Options without a trust policy (the form before signing existed). */
    public ManagerOptions(
            Duration pollInterval,
            boolean useWatchService,
            SnapshotEventListener listener,
            boolean registerMBean,
            Clock clock) {
        this(pollInterval, useWatchService, listener, registerMBean, clock, null);
    }

    /** Checks the values. */
    public ManagerOptions {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        if (preverifyPublished < 0) {
            throw new IllegalArgumentException("preverifyPublished must be 0 or more, not " + preverifyPublished);
        }
    }

    /** @return the defaults */
    public static ManagerOptions defaults() {
        return new ManagerOptions(
                Duration.ofSeconds(1), true, new SnapshotEventListener() {}, false, Clock.systemUTC());
    }

    /** @return these options with another poll interval */
    public ManagerOptions withPollInterval(Duration interval) {
        return new ManagerOptions(interval, useWatchService, listener, registerMBean, clock, trust, preverifyPublished);
    }

    /** @return these options with the watch service on or off */
    public ManagerOptions withWatchService(boolean on) {
        return new ManagerOptions(pollInterval, on, listener, registerMBean, clock, trust, preverifyPublished);
    }

    /** @return these options with a listener */
    public ManagerOptions withListener(SnapshotEventListener l) {
        return new ManagerOptions(pollInterval, useWatchService, l, registerMBean, clock, trust, preverifyPublished);
    }

    /** @return these options with JMX registration on or off */
    public ManagerOptions withMBean(boolean on) {
        return new ManagerOptions(pollInterval, useWatchService, listener, on, clock, trust, preverifyPublished);
    }

    /** @return these options with another clock */
    public ManagerOptions withClock(Clock c) {
        return new ManagerOptions(pollInterval, useWatchService, listener, registerMBean, c, trust, preverifyPublished);
    }

    /** @return these options serving only snapshots signed by a key of {@code policy} (null: any snapshot) */
    public ManagerOptions withTrust(TrustPolicy policy) {
        return new ManagerOptions(
                pollInterval, useWatchService, listener, registerMBean, clock, policy, preverifyPublished);
    }

    /**
     * @return these options verifying (and, from a remote store, downloading) the newest {@code n} published
     *     snapshots ahead of their promotion; 0 turns that off
     */
    public ManagerOptions withPreverifyPublished(int n) {
        return new ManagerOptions(pollInterval, useWatchService, listener, registerMBean, clock, trust, n);
    }
}
