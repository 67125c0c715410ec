package dev.warmstart.snapshot.store;

import java.time.Duration;

/**
 * When to roll a snapshot back by itself: its failure rate over a sliding window exceeds {@code maxFailureRate}
 * with at least {@code minRequests} outcomes in the window.
 *
 * @param maxFailureRate the highest tolerated failure rate, 0..1 (a rate equal to it does not trip)
 * @param window the sliding window
 * @param minRequests the fewest outcomes in the window before the rate counts
 */
public record Guard(double maxFailureRate, Duration window, long minRequests) {
    /** The defaults: 3% over 5 minutes, at least 100 requests. */
    public static final Guard DEFAULT = new Guard(0.03, Duration.ofMinutes(5), 100);

    /** Checks the values. */
    public Guard {
        if (!(maxFailureRate >= 0 && maxFailureRate <= 1)) {
            throw new IllegalArgumentException("maxFailureRate must be between 0 and 1, not " + maxFailureRate);
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive");
        }
        if (minRequests < 1) {
            throw new IllegalArgumentException("minRequests must be at least 1");
        }
    }

    /** @return whether {@code failures} of {@code total} outcomes trip this guard */
    public boolean trips(long failures, long total) {
        return total >= minRequests && failures > maxFailureRate * total;
    }
}
