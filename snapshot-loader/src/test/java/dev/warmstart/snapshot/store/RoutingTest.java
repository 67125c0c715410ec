package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
        return new ServedSnapshot(id, null, Duration.ofMinutes(5), Clock.systemUTC(), Runnable::run);
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
            assertThat(b >= 0 && b < Routing.BUCKETS).isTrue();
            assertThat(Routing.bucket("user-" + i)).isEqualTo(b);
        }
        // A fixed point, so a change of the hash (which would move every user) cannot go unnoticed.
        assertThat(Routing.bucket(new String("alice".toCharArray()))).isEqualTo(Routing.bucket("alice"));
    }

    @Test
    void percentageIsAccurateWithinHalfAPointAtHundredThousandKeys() {
        for (double percent : new double[] {0.1, 1, 5, 10, 33.3, 50, 90, 99.9}) {
            RoutingState state = state(List.of(Map.entry("canary", CanaryRule.percent(percent))));
            int inCanary = spread(state, "user-").getOrDefault("canary", 0);
            double measured = 100.0 * inCanary / KEYS;
            assertThat(measured)
                    .as("canary at " + percent + "% got " + measured + "%")
                    .isCloseTo(percent, within(0.5));
        }
    }

    @Test
    void zeroAndHundredPercentAreExact() {
        assertThat(spread(state(List.of(Map.entry("canary", CanaryRule.percent(0)))), "k")
                        .get("canary"))
                .isNull();
        assertThat(spread(state(List.of(Map.entry("canary", CanaryRule.percent(100)))), "k")
                        .get("canary"))
                .isEqualTo(KEYS);
    }

    @Test
    void resolutionIsATenthOfAPointOrBetter() {
        assertThat(CanaryRule.percent(0.1).buckets()).isEqualTo(10);
        assertThat(CanaryRule.percent(0.01).buckets()).isEqualTo(1);
        assertThat(CanaryRule.percent(5.25).buckets()).isEqualTo(525);
    }

    @Test
    void theSameKeyAlwaysLandsOnTheSameSide() {
        RoutingState a = state(List.of(Map.entry("canary", CanaryRule.percent(10))));
        RoutingState b = state(List.of(Map.entry("canary", CanaryRule.percent(10))));
        for (int i = 0; i < 10_000; i++) {
            RequestContext r = RequestContext.forUser("u" + i);
            String first = a.route(r).channel();
            assertThat(a.route(r).channel()).isEqualTo(first);
            assertThat(b.route(r).channel())
                    .as("a second state (another pod) routes the key the same way")
                    .isEqualTo(first);
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
                assertThat(now.containsAll(before))
                        .as("a key left the canary when it grew to " + p + "%")
                        .isTrue();
            }
            before = now;
        }
        // Same for a canary that grows downwards from the last bucket.
        Canary down5 = new Canary("b", "c", CanaryRule.percent(5), Guard.DEFAULT, Routing.BUCKETS - 1, -1);
        Canary down10 = new Canary("b", "c", CanaryRule.percent(10), Guard.DEFAULT, Routing.BUCKETS - 1, -1);
        for (int i = 0; i < KEYS; i++) {
            int bucket = Routing.bucket("user-" + i);
            assertThat(!down5.covers(bucket) || down10.covers(bucket)).isTrue();
        }
    }

    @Test
    void severalCanariesGetTheirSharesAndNeverOverlap() {
        RoutingState state = state(
                List.of(Map.entry("canary-a", CanaryRule.percent(15)), Map.entry("canary-b", CanaryRule.percent(5))));
        Map<String, Integer> counts = spread(state, "tenant-user-");
        assertThat(100.0 * counts.get("stable") / KEYS).isCloseTo(80.0, within(0.5));
        assertThat(100.0 * counts.get("canary-a") / KEYS).isCloseTo(15.0, within(0.5));
        assertThat(100.0 * counts.get("canary-b") / KEYS).isCloseTo(5.0, within(0.5));
        for (int b = 0; b < Routing.BUCKETS; b++) {
            int owners = 0;
            for (RoutingState.ServedCanary c : state.canaries) {
                owners += c.canary().covers(b) ? 1 : 0;
            }
            assertThat(owners <= 1)
                    .as("bucket " + b + " belongs to " + owners + " canaries")
                    .isTrue();
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
            assertThat(!third.covers(bucket)
                            || (!placed.get(0).covers(bucket) && !placed.get(1).covers(bucket)))
                    .isTrue();
        }
        assertThatThrownBy(() -> Routing.place(placed, 9000))
                .as("more than 100% in all")
                .isInstanceOf(IllegalArgumentException.class);
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
        assertThat(everyoneAndAlice.percent()).isEqualTo(100);

        // A pin wins over everything, for stable and for pinnable canaries.
        assertThat(state.route(new RequestContext("stable-id", "alice", null, "k"))
                        .served()
                        .id)
                .isEqualTo("stable-id");
        assertThat(state.route(new RequestContext("b-id", "alice", null, "k")).channel())
                .isEqualTo("pinned");
        assertThat(state.route(new RequestContext("b-id", "alice", null, "k")).served().id)
                .isEqualTo("b-id");
        // A pin to an unknown or non-pinnable snapshot is ignored: the next rule decides.
        assertThat(state.route(new RequestContext("nope", "alice", null, "k")).served().id)
                .isEqualTo("a-id");
        assertThat(state.route(new RequestContext("h-id", "alice", null, "k")).served().id)
                .isEqualTo("a-id");
        // The allowlist (user or tenant) wins over the percentage.
        assertThat(state.route(new RequestContext(null, "alice", null, "k")).channel())
                .isEqualTo("canary-a");
        assertThat(state.route(new RequestContext(null, "bob", "tenant-7", "k")).channel())
                .isEqualTo("canary-a");
        // Then the percentage (canary-b has 100%).
        assertThat(state.route(new RequestContext(null, "bob", "tenant-1", null))
                        .channel())
                .isEqualTo("canary-b");
        // Without any key: stable.
        assertThat(state.route(RequestContext.ANONYMOUS).channel()).isEqualTo("stable");
    }

    @Test
    void routingKeyFallsBackFromKeyToUserToTenant() {
        assertThat(new RequestContext(null, "u", "t", "k").effectiveKey()).isEqualTo("k");
        assertThat(new RequestContext(null, "u", "t", null).effectiveKey()).isEqualTo("u");
        assertThat(new RequestContext(null, null, "t", null).effectiveKey()).isEqualTo("t");
        assertThat(RequestContext.ANONYMOUS.effectiveKey()).isNull();
    }

    @Test
    void rulesAndGuardsRejectNonsense() {
        assertThatThrownBy(() -> CanaryRule.percent(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanaryRule.percent(100.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Guard(1.5, Duration.ofMinutes(1), 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Guard(0.1, Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Guard(0.1, Duration.ofMinutes(1), 0)).isInstanceOf(IllegalArgumentException.class);
        Guard g = Guard.DEFAULT;
        assertThat(g.trips(99, 99)).as("fewer than 100 requests never trip").isFalse();
        assertThat(g.trips(3, 100)).as("exactly 3% does not trip").isFalse();
        assertThat(g.trips(4, 100)).isTrue();
    }

    @Test
    void refusedGuardValuesAreNamedWithTheirCause() {
        assertThatThrownBy(() -> new Guard(0.1, Duration.ZERO, 10)).hasMessageContaining("not PT0S");
        assertThatThrownBy(() -> new Guard(0.1, Duration.ofMinutes(1), 0)).hasMessageContaining("not 0");
        assertThatThrownBy(() -> Guard.parseWindow("fivem"))
                .hasMessageContaining("'fivem'")
                .hasCauseInstanceOf(NumberFormatException.class);
    }
}
