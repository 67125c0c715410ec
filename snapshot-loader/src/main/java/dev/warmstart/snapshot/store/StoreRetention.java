package dev.warmstart.snapshot.store;

import java.util.LinkedHashSet;
import java.util.Set;

/** Which snapshots a registry still needs: the one rule that both store pruning and replica caches follow. */
final class StoreRetention {
    private StoreRetention() {}

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
}
