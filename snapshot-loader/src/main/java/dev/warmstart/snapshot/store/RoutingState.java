package dev.warmstart.snapshot.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What is being served, immutable: swapped whole with one reference update. */
final class RoutingState {
    record ServedCanary(Canary canary, ServedSnapshot served) {}

    record Route(ServedSnapshot served, String channel) {}

    final long revision;
    final ServedSnapshot stable;
    final Guard stableGuard;
    final ServedSnapshot previousStable;
    final List<ServedCanary> canaries;
    final Map<String, ServedSnapshot> byId = new HashMap<>();

    RoutingState(
            long revision,
            ServedSnapshot stable,
            Guard stableGuard,
            ServedSnapshot previousStable,
            List<ServedCanary> canaries) {
        this.revision = revision;
        this.stable = stable;
        this.stableGuard = stableGuard;
        this.previousStable = previousStable;
        this.canaries = List.copyOf(canaries);
        if (previousStable != null) {
            byId.put(previousStable.id, previousStable);
        }
        for (ServedCanary c : canaries) {
            byId.put(c.served().id, c.served());
        }
        if (stable != null) {
            byId.put(stable.id, stable);
        }
    }

    /** Pin, then allowlist, then percentage, then stable. */
    Route route(RequestContext request) {
        if (request.pinnedVersion() != null) {
            if (stable != null && stable.id.equals(request.pinnedVersion())) {
                return new Route(stable, "pinned");
            }
            for (ServedCanary c : canaries) {
                if (c.canary().rule().pinnable() && c.served().id.equals(request.pinnedVersion())) {
                    return new Route(c.served(), "pinned");
                }
            }
        }
        for (ServedCanary c : canaries) {
            var allow = c.canary().rule().allowlist();
            if (!allow.isEmpty()
                    && ((request.userId() != null && allow.contains(request.userId()))
                            || (request.tenantId() != null && allow.contains(request.tenantId())))) {
                return new Route(c.served(), c.canary().name());
            }
        }
        String key = request.effectiveKey();
        if (key != null && !canaries.isEmpty()) {
            int bucket = Routing.bucket(key);
            for (ServedCanary c : canaries) {
                if (c.canary().covers(bucket)) {
                    return new Route(c.served(), c.canary().name());
                }
            }
        }
        return stable == null ? null : new Route(stable, "stable");
    }

    /** @return the guard protecting {@code id} in this state, or null */
    Guard guardOf(String id) {
        for (ServedCanary c : canaries) {
            if (c.served().id.equals(id)) {
                return c.canary().guard();
            }
        }
        return stable != null && stable.id.equals(id) ? stableGuard : null;
    }
}
