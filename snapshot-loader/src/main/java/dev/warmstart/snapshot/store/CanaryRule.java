package dev.warmstart.snapshot.store;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which requests a canary gets, besides those pinned to its id.
 *
 * @param percent share of routing keys, 0 to 100, in steps of 0.01
 * @param allowlist user or tenant ids that always get the canary
 * @param pinnable whether a request may pin this canary's id explicitly
 */
public record CanaryRule(double percent, Set<String> allowlist, boolean pinnable) {
    /** Checks the values and copies the allowlist (sorted, for stable registry files). */
    public CanaryRule {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must be between 0 and 100, not " + percent);
        }
        allowlist = allowlist == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(allowlist));
    }

    /** @return a rule sending {@code percent} of keys, with no allowlist, pinnable */
    public static CanaryRule percent(double percent) {
        return new CanaryRule(percent, Set.of(), true);
    }

    /** @return this rule's share as a number of the {@link Routing#BUCKETS} buckets */
    public int buckets() {
        return (int) Math.round(percent * Routing.BUCKETS / 100.0);
    }

    /** @return the allowlist as a sorted list */
    public List<String> allowlistList() {
        return List.copyOf(allowlist);
    }
}
