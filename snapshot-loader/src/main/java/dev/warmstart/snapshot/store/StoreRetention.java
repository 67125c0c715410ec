package dev.warmstart.snapshot.store;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which snapshots a registry still needs: the one rule that both store pruning and replica caches follow. */
final class StoreRetention {
    /**
     * The longest {@code previousStable} a registry keeps: enough to roll back a few times, and a registry that
     * stays a few KB however many promotions it sees (every replica downloads it on every change).
     */
    static final int MAX_PREVIOUS_STABLE = 10;

    private StoreRetention() {}

    /**
     * @return {@code previous} with {@code replaced} in front, without repeats, without {@code promoted} (it is
     *     stable now), and at most {@link #MAX_PREVIOUS_STABLE} long
     */
    static List<String> pushPrevious(List<String> previous, String replaced, String promoted) {
        List<String> out = new ArrayList<>();
        out.add(replaced);
        for (String id : previous) {
            if (out.size() >= MAX_PREVIOUS_STABLE) {
                break;
            }
            if (!id.equals(promoted) && !out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * @return the ids of the stable snapshot, every canary, and the first {@code previous} earlier stables, in
     *     that order
     */
    static Set<String> servedIds(StoreRegistry registry, int previous) {
        Set<String> ids = new LinkedHashSet<>();
        if (registry.stable() != null) {
            ids.add(registry.stable());
        }
        for (Canary c : registry.canaries()) {
            ids.add(c.snapshotId());
        }
        int n = 0;
        for (String id : registry.previousStable()) {
            if (n++ >= previous) {
                break;
            }
            ids.add(id);
        }
        return ids;
    }

    /**
     * @return the ids of the newest {@code n} snapshots that are published but serve no channel, newest first: the
     *     candidates a manager verifies (and a replica downloads) ahead of their promotion
     */
    static List<String> candidateIds(StoreRegistry registry, int n) {
        List<String> out = new ArrayList<>();
        List<SnapshotRecord> all = registry.snapshots();
        for (int i = all.size() - 1; i >= 0 && out.size() < n; i--) {
            if (SnapshotRecord.PUBLISHED.equals(all.get(i).status())) {
                out.add(all.get(i).id());
            }
        }
        return out;
    }
}
