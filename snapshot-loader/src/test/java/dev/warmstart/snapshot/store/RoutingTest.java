package dev.warmstart.snapshot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The routing rules, evaluated on routing states built in memory (no files). */
class RoutingTest {
    private static final int KEYS = 100_000;

    private static ServedSnapshot served(String id) {
        return new ServedSnapshot(id, null, Duration.ofMinutes(5), Clock.systemUTC());
    }

    /** Places canaries the way the store does, one after the other. */
    private static RoutingState state(List<Map.Entry<String, CanaryRule>> rules) {
        List<Canary> placed = new ArrayList<>();
        List<RoutingState.ServedCanary> canaries = new ArrayList<>();
        for (Map.Entry<String, CanaryRule> e : rules) {
            int[] at = Routing.place(placed, e.getValue().buckets());
            Canary c = new Canary(e.getKey(), e.getKey() + "-id", e.getValue(), Guard.DEFAULT, at[0], at[1]);
            placed.add(c);
            canaries.add(new RoutingState.ServedCanary(c, served(c.snapshotId())));
        }
        return new RoutingState(1, served("stable-id"), null, null, canaries);
    }

    private static Map<String, Integer> spread(RoutingState state, String prefix) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String channel = state.route(new RequestContext(null, prefix + i, null, null))
                    .channel();
            counts.merge(channel, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void bucketIsStableAndInRange() {
        for (int i = 0; i < 1000; i++) {
            int b = Routing.bucket("user-" + i);
            assertTrue(b >= 0 && b < Routing.BUCKETS);
            assertEquals(b, Routing.bucket("user-" + i));
        }
        // A fixed point, so a change of the hash (which would move every user) cannot go unnoticed.
        assertEquals(Routing.bucket("alice"), Routing.bucket(new String("alice".toCharArray())));
    }

    @Test
    void percentageIsAccurateWithinHalfAPointAtHundredThousandKeys() {
        for (double percent : new double[] {0.1, 1, 5, 10, 33.3, 50, 90, 99.9}) {
            RoutingState state = state(List.of(Map.entry("canary", CanaryRule.percent(percent))));
            int inCanary = spread(state, "user-").getOrDefault("canary", 0);
            double measured = 100.0 * inCanary / KEYS;
            assertEquals(percent, measured, 0.5, "canary at " + percent + "% got " + measured + "%");
        }
    }

    @Test
    void zeroAndHundredPercentAreExact() {
        assertEquals(
                null,
                spread(state(List.of(Map.entry("canary", CanaryRule.percent(0)))), "k")
                        .get("canary"));
        assertEquals(
                KEYS,
                spread(state(List.of(Map.entry("canary", CanaryRule.percent(100)))), "k")
                        .get("canary"));
    }

    @Test
    void resolutionIsATenthOfAPointOrBetter() {
        assertEquals(10, CanaryRule.percent(0.1).buckets());
        assertEquals(1, CanaryRule.percent(0.01).buckets());
        assertEquals(525, CanaryRule.percent(5.25).buckets());
    }

    @Test
    void theSameKeyAlwaysLandsOnTheSameSide() {
        RoutingState a = state(List.of(Map.entry("canary", CanaryRule.percent(10))));
        RoutingState b = state(List.of(Map.entry("canary", CanaryRule.percent(10))));
        for (int i = 0; i < 10_000; i++) {
            RequestContext r = RequestContext.forUser("u" + i);
            String first = a.route(r).channel();
            assertEquals(first, a.route(r).channel());
            assertEquals(first, b.route(r).channel(), "a second state (another pod) routes the key the same way");
        }
    }

    @Test
    void growingACanaryOnlyAddsKeys() {
        Canary small = new Canary("canary", "c", CanaryRule.percent(5), Guard.DEFAULT, 0, 1);
        double[] steps = {5, 10, 25, 50, 100};
        Set<Integer> before = null;
        for (double p : steps) {
            Canary grown = new Canary(
                    "canary", "c", CanaryRule.percent(p), Guard.DEFAULT, small.firstBucket(), small.direction());
            Set<Integer> now = new java.util.HashSet<>();
            for (int i = 0; i < KEYS; i++) {
                if (grown.covers(Routing.bucket("user-" + i))) {
                    now.add(i);
                }
            }
            if (before != null) {
                assertTrue(now.containsAll(before), "a key left the canary when it grew to " + p + "%");
            }
            before = now;
        }
        // Same for a canary that grows downwards from the last bucket.
        Canary down5 = new Canary("b", "c", CanaryRule.percent(5), Guard.DEFAULT, Routing.BUCKETS - 1, -1);
        Canary down10 = new Canary("b", "c", CanaryRule.percent(10), Guard.DEFAULT, Routing.BUCKETS - 1, -1);
        for (int i = 0; i < KEYS; i++) {
            int bucket = Routing.bucket("user-" + i);
            assertTrue(!down5.covers(bucket) || down10.covers(bucket));
        }
    }

    @Test
    void severalCanariesGetTheirSharesAndNeverOverlap() {
        RoutingState state = state(
                List.of(Map.entry("canary-a", CanaryRule.percent(15)), Map.entry("canary-b", CanaryRule.percent(5))));
        Map<String, Integer> counts = spread(state, "tenant-user-");
        assertEquals(80.0, 100.0 * counts.get("stable") / KEYS, 0.5);
        assertEquals(15.0, 100.0 * counts.get("canary-a") / KEYS, 0.5);
        assertEquals(5.0, 100.0 * counts.get("canary-b") / KEYS, 0.5);
        for (int b = 0; b < Routing.BUCKETS; b++) {
            int owners = 0;
            for (RoutingState.ServedCanary c : state.canaries) {
                owners += c.canary().covers(b) ? 1 : 0;
            }
            assertTrue(owners <= 1, "bucket " + b + " belongs to " + owners + " canaries");
        }
    }

    @Test
    void aThirdCanaryGoesIntoTheLargestGap() {
        List<Canary> placed = new ArrayList<>();
        int[] a = Routing.place(placed, 1000);
        placed.add(new Canary("a", "a", CanaryRule.percent(10), Guard.DEFAULT, a[0], a[1]));
        int[] b = Routing.place(placed, 1000);
        placed.add(new Canary("b", "b", CanaryRule.percent(10), Guard.DEFAULT, b[0], b[1]));
        int[] c = Routing.place(placed, 500);
        Canary third = new Canary("c", "c", CanaryRule.percent(5), Guard.DEFAULT, c[0], c[1]);
        for (int bucket = 0; bucket < Routing.BUCKETS; bucket++) {
            assertTrue(!third.covers(bucket)
                    || (!placed.get(0).covers(bucket) && !placed.get(1).covers(bucket)));
        }
        assertThrows(IllegalArgumentException.class, () -> Routing.place(placed, 9000), "more than 100% in all");
    }

    @Test
    void precedenceIsPinThenAllowlistThenPercentageThenStable() {
        CanaryRule everyoneAndAlice = new CanaryRule(100, Set.of("alice", "tenant-7"), true);
        Canary a = new Canary(
                "canary-a", "a-id", new CanaryRule(0, Set.of("alice", "tenant-7"), true), Guard.DEFAULT, 0, 1);
        Canary b = new Canary("canary-b", "b-id", CanaryRule.percent(100), Guard.DEFAULT, Routing.BUCKETS - 1, -1);
        Canary hidden = new Canary("hidden", "h-id", new CanaryRule(0, Set.of(), false), Guard.DEFAULT, 5000, 1);
        RoutingState state = new RoutingState(
                1,
                served("stable-id"),
                null,
                null,
                List.of(
                        new RoutingState.ServedCanary(a, served("a-id")),
                        new RoutingState.ServedCanary(b, served("b-id")),
                        new RoutingState.ServedCanary(hidden, served("h-id"))));
        assertEquals(100, everyoneAndAlice.percent());

        // A pin wins over everything, for stable and for pinnable canaries.
        assertEquals(
                "stable-id",
                state.route(new RequestContext("stable-id", "alice", null, "k")).served().id);
        assertEquals(
                "pinned",
                state.route(new RequestContext("b-id", "alice", null, "k")).channel());
        assertEquals(
                "b-id",
                state.route(new RequestContext("b-id", "alice", null, "k")).served().id);
        // A pin to an unknown or non-pinnable snapshot is ignored: the next rule decides.
        assertEquals(
                "a-id",
                state.route(new RequestContext("nope", "alice", null, "k")).served().id);
        assertEquals(
                "a-id",
                state.route(new RequestContext("h-id", "alice", null, "k")).served().id);
        // The allowlist (user or tenant) wins over the percentage.
        assertEquals(
                "canary-a",
                state.route(new RequestContext(null, "alice", null, "k")).channel());
        assertEquals(
                "canary-a",
                state.route(new RequestContext(null, "bob", "tenant-7", "k")).channel());
        // Then the percentage (canary-b has 100%).
        assertEquals(
                "canary-b",
                state.route(new RequestContext(null, "bob", "tenant-1", null)).channel());
        // Without any key: stable.
        assertEquals("stable", state.route(RequestContext.ANONYMOUS).channel());
    }

    @Test
    void routingKeyFallsBackFromKeyToUserToTenant() {
        assertEquals("k", new RequestContext(null, "u", "t", "k").effectiveKey());
        assertEquals("u", new RequestContext(null, "u", "t", null).effectiveKey());
        assertEquals("t", new RequestContext(null, null, "t", null).effectiveKey());
        assertEquals(null, RequestContext.ANONYMOUS.effectiveKey());
    }

    @Test
    void rulesAndGuardsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> CanaryRule.percent(-1));
        assertThrows(IllegalArgumentException.class, () -> CanaryRule.percent(100.5));
        assertThrows(IllegalArgumentException.class, () -> new Guard(1.5, Duration.ofMinutes(1), 10));
        assertThrows(IllegalArgumentException.class, () -> new Guard(0.1, Duration.ZERO, 10));
        assertThrows(IllegalArgumentException.class, () -> new Guard(0.1, Duration.ofMinutes(1), 0));
        Guard g = Guard.DEFAULT;
        assertTrue(!g.trips(99, 99), "fewer than 100 requests never trip");
        assertTrue(!g.trips(3, 100), "exactly 3% does not trip");
        assertTrue(g.trips(4, 100));
    }
}
