package dev.warmstart.snapshot.store;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When a replica asks its remote store again. Healthy: every poll interval, jittered by ±20% so a fleet that
 * started together does not poll in lock-step. After a failure: exponential backoff with full jitter (a random
 * delay between zero and {@code interval × 2^failures}, capped), a server's {@code Retry-After} honoured (up to
 * the cap), and straight to the cap on 401, 403 and 404 — a wrong URL or missing credentials do not fix
 * themselves, and hammering the server will not help. The random source is injected so tests need no sleeps.
 *
 * <p>Not thread-safe: used by the watcher thread only.
 */
final class BackoffPolicy {
    private final Duration interval;
    private final Duration cap;
    private final RandomGenerator random;
    private int failures;

    BackoffPolicy(Duration interval, Duration cap, RandomGenerator random) {
        this.interval = interval;
        this.cap = cap.compareTo(interval) < 0 ? interval : cap;
        this.random = random;
    }

    /** The last attempt worked: back to the poll interval. */
    void succeeded() {
        failures = 0;
    }

    /** @return failures since the last success */
    int failures() {
        return failures;
    }

    /**
     * Records a failure.
     *
     * @param status the HTTP status, or 0 when there was no response (connection refused, timeout)
     * @param retryAfter the server's {@code Retry-After}, or null
     * @return how long to wait before the next attempt
     */
    Duration failed(int status, Duration retryAfter) {
        failures++;
        if (status == 401 || status == 403 || status == 404) {
            return cap;
        }
        if (retryAfter != null) {
            return retryAfter.compareTo(cap) > 0 ? cap : retryAfter;
        }
        long ceiling = interval.toMillis() << Math.min(failures, 20);
        if (ceiling <= 0 || ceiling > cap.toMillis()) {
            ceiling = cap.toMillis();
        }
        return Duration.ofMillis(1 + random.nextLong(Math.max(1, ceiling)));
    }

    /** @return the wait before the next poll when all is well: the interval ± 20% */
    Duration nextPoll() {
        long ms = interval.toMillis();
        long spread = ms / 5;
        if (spread == 0) {
            return interval;
        }
        return Duration.ofMillis(ms - spread + random.nextLong(2 * spread + 1));
    }
}
