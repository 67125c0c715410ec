package dev.warmstart.snapshot.store;

import java.time.Duration;
import java.util.Locale;

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
            throw new IllegalArgumentException("window must be positive, not " + window);
        }
        if (minRequests < 1) {
            throw new IllegalArgumentException("minRequests must be at least 1, not " + minRequests);
        }
    }

    /**
     * A guard from the units people type: a percentage and a window such as {@code 5m}, {@code 30s}, {@code 1h}
     * or ISO-8601 {@code PT5M}.
     *
     * @throws IllegalArgumentException on a value out of range or a window it cannot read
     */
    public static Guard of(double maxFailurePercent, String window, long minRequests) {
        return new Guard(maxFailurePercent / 100.0, parseWindow(window), minRequests);
    }

    /** @return {@code 5m}, {@code 30s}, {@code 1h}, {@code 250ms} or ISO-8601 as a duration */
    public static Duration parseWindow(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(unreadableWindow(text), e);
        }
        throw new IllegalArgumentException(unreadableWindow(text));
    }

    private static String unreadableWindow(String text) {
        return "cannot read the window '" + text + "'; write e.g. 5m, 30s, 1h or PT5M";
    }

    /** @return e.g. {@code 3% over PT5M, at least 100 requests} */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s%% over %s, at least %d requests",
                stripZeros(maxFailureRate * 100),
                window,
                minRequests);
    }

    private static String stripZeros(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** @return whether {@code failures} of {@code total} outcomes trip this guard */
    public boolean trips(long failures, long total) {
        return total >= minRequests && failures > maxFailureRate * total;
    }
}
