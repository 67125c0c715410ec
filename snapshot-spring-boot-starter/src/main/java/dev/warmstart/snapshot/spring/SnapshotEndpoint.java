package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.store.Canary;
import dev.warmstart.snapshot.store.SnapshotManager;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/snapshot}: what is serving (ids per channel, canaries with their shares, key and prompt counts
 * of each served snapshot) and the last change and its reason. Read-only.
 */
@Endpoint(id = "snapshot")
public class SnapshotEndpoint {
    private final ServingSnapshots serving;

    /** @param serving what is served */
    public SnapshotEndpoint(ServingSnapshots serving) {
        this.serving = serving;
    }

    /** @return the serving state */
    @ReadOperation
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("location", serving.location());
        out.put("kind", serving.kind().name().toLowerCase(Locale.ROOT));
        out.put("channels", serving.channels());
        ServingSnapshots.Change last = serving.lastChange();
        out.put("lastChange", Map.of("at", last.at().toString(), "what", last.what()));
        serving.lastFailure().ifPresent(f -> out.put("lastFailure", Map.of("at", f.at().toString(), "what", f.what())));
        SnapshotManager manager = serving.manager().orElse(null);
        if (manager == null) {
            Snapshot s = serving.stableSnapshot();
            out.put("snapshots", List.of(describe(s)));
            return out;
        }
        out.put("revision", manager.revision());
        try {
            StoreRegistry registry =
                    SnapshotStore.open(manager.storeDirectory()).registry();
            // The registry says why it changed last ("promote ... to canary at 10%", "rolled back ...").
            out.put(
                    "registry",
                    Map.of(
                            "revision",
                            registry.revision(),
                            "updated",
                            String.valueOf(registry.updated()),
                            "change",
                            String.valueOf(registry.change())));
            List<Map<String, Object>> canaries = new ArrayList<>();
            for (Canary c : registry.canaries()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", c.name());
                m.put("snapshot", c.snapshotId());
                m.put("percent", c.rule().percent());
                m.put("allowlist", c.rule().allowlistList());
                m.put("pinnable", c.rule().pinnable());
                m.put("serving", manager.channels().containsKey(c.name()));
                canaries.add(m);
            }
            out.put("canaries", canaries);
        } catch (IOException | RuntimeException e) {
            out.put("registryError", String.valueOf(e.getMessage()));
        }
        // Stable from the starter's own lease (no selection counted); a canary through a pinned lease, which
        // counts one selection of that canary per call of this endpoint.
        List<Map<String, Object>> snapshots = new ArrayList<>();
        Snapshot stable = serving.stableSnapshot();
        snapshots.add(describe(stable));
        for (Map.Entry<String, String> channel : manager.channels().entrySet()) {
            String id = channel.getValue();
            if (id.equals(stable.id()) || snapshots.stream().anyMatch(m -> id.equals(m.get("id")))) {
                continue;
            }
            try (var lease = manager.select(new dev.warmstart.snapshot.store.RequestContext(id, null, null, null))) {
                snapshots.add(lease.snapshotId().equals(id) ? describe(lease.snapshot()) : Map.of("id", id));
            }
        }
        out.put("snapshots", snapshots);
        return out;
    }

    private static Map<String, Object> describe(Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("created", String.valueOf(s.created()));
        m.put("contentHash", s.contentHash());
        m.put("configKeys", s.config().size());
        m.put("prompts", s.promptNames().size());
        return m;
    }
}
