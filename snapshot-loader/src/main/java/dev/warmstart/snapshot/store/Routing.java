package dev.warmstart.snapshot.store;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How requests are spread over channels: keys hash into {@value #BUCKETS} buckets (0.01% each) and each canary
 * owns a contiguous range of buckets that starts at a fixed bucket and grows in one direction. Growing a
 * canary's percentage only adds buckets to its range, so a key inside a 5% canary stays inside at 10%, and other
 * canaries' ranges never move. The first canary grows up from bucket 0, the second down from the last bucket,
 * and later ones start in the middle of the largest free gap and grow upwards.
 */
public final class Routing {
    /** Number of buckets: 0.01% resolution. */
    public static final int BUCKETS = 10_000;

    private Routing() {}

    /** @return the bucket of a routing key: a 64-bit FNV-1a hash with a murmur3 finaliser, mod {@link #BUCKETS} */
    public static int bucket(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) Long.remainderUnsigned(h, BUCKETS);
    }

    /**
     * Places a new canary of {@code buckets} buckets among {@code others}.
     *
     * @return {firstBucket, direction}
     * @throws IllegalArgumentException when there is no free range that large
     */
    static int[] place(List<Canary> others, int buckets) {
        if (others.isEmpty()) {
            return new int[] {0, 1};
        }
        if (others.size() == 1) {
            Canary only = others.get(0);
            int[] candidate = only.direction() > 0 ? new int[] {BUCKETS - 1, -1} : new int[] {0, 1};
            checkFree(others, candidate[0], candidate[1], buckets, null);
            return candidate;
        }
        // Largest free gap between existing ranges.
        boolean[] used = new boolean[BUCKETS];
        for (Canary c : others) {
            for (int b = c.low(); b < c.high(); b++) {
                used[b] = true;
            }
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int b = 0; b < BUCKETS; ) {
            if (used[b]) {
                b++;
                continue;
            }
            int start = b;
            while (b < BUCKETS && !used[b]) {
                b++;
            }
            if (b - start > bestLength) {
                bestLength = b - start;
                bestStart = start;
            }
        }
        int first = bestStart + Math.max(0, (bestLength - buckets) / 2);
        checkFree(others, first, 1, buckets, null);
        return new int[] {first, 1};
    }

    /** @throws IllegalArgumentException when a range would overlap another canary's */
    static void checkFree(List<Canary> others, int first, int direction, int buckets, String self) {
        int low = direction > 0 ? first : first - buckets + 1;
        int high = direction > 0 ? first + buckets : first + 1;
        if (low < 0 || high > BUCKETS) {
            throw new IllegalArgumentException("a canary of " + buckets / 100.0 + "% does not fit from bucket " + first
                    + "; remove or shrink another canary first");
        }
        for (Canary c : others) {
            if (c.name().equals(self)) {
                continue;
            }
            if (low < c.high() && c.low() < high) {
                throw new IllegalArgumentException("the canary would overlap canary '" + c.name() + "' ("
                        + c.rule().percent()
                        + "%); shrink or remove it first (all canaries together get at most 100%)");
            }
        }
    }
}
