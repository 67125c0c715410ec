package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.format.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The content of a store's {@code registry.json}: every known snapshot and the channels. Immutable; the format
 * is documented in {@code docs/store.md}.
 *
 * @param revision incremented by every change
 * @param updated when this revision was written (ISO-8601)
 * @param change what this revision changed, in words
 * @param snapshots every snapshot known to the store, in publication order
 * @param stable the stable snapshot's id, or null
 * @param stableGuard the guard of the stable channel, or null for none
 * @param previousStable earlier stable ids, most recent first (for rollback)
 * @param canaries the canary channels
 */
public record StoreRegistry(
        long revision,
        String updated,
        String change,
        List<SnapshotRecord> snapshots,
        String stable,
        Guard stableGuard,
        List<String> previousStable,
        List<Canary> canaries) {

    /** Version of the registry file format. */
    public static final int REGISTRY_VERSION = 1;

    /** Copies the lists. */
    public StoreRegistry {
        snapshots = List.copyOf(snapshots);
        previousStable = List.copyOf(previousStable);
        canaries = List.copyOf(canaries);
    }

    /** @return an empty registry, revision 0 */
    public static StoreRegistry empty() {
        return new StoreRegistry(0, "", "created", List.of(), null, null, List.of(), List.of());
    }

    /** @return the record of a snapshot */
    public Optional<SnapshotRecord> snapshot(String id) {
        for (SnapshotRecord s : snapshots) { // a loop, not a stream: every switch looks up here, interpreted
            if (s.id().equals(id)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** @return the canary of that name */
    public Optional<Canary> canary(String name) {
        return canaries.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** @return the registry as JSON */
    public String toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("registryVersion", REGISTRY_VERSION);
        doc.put("revision", revision);
        doc.put("updated", updated);
        doc.put("change", change);
        List<Object> list = new ArrayList<>();
        for (SnapshotRecord s : snapshots) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("file", s.file());
            m.put("contentHash", s.contentHash());
            m.put("created", s.created());
            m.put("size", s.size());
            m.put("provenance", new LinkedHashMap<>(s.provenance()));
            m.put("status", s.status());
            m.put("reason", s.reason());
            m.put("changedAt", s.changedAt());
            list.add(m);
        }
        doc.put("snapshots", list);
        Map<String, Object> channels = new LinkedHashMap<>();
        Map<String, Object> stableChannel = new LinkedHashMap<>();
        stableChannel.put("snapshotId", stable);
        stableChannel.put("guard", guardJson(stableGuard));
        channels.put("stable", stableChannel);
        channels.put("previousStable", previousStable);
        List<Object> canaryList = new ArrayList<>();
        for (Canary c : canaries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("snapshotId", c.snapshotId());
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("percent", c.rule().percent());
            rule.put("allowlist", c.rule().allowlistList());
            rule.put("pinnable", c.rule().pinnable());
            m.put("rule", rule);
            m.put("guard", guardJson(c.guard()));
            m.put("firstBucket", c.firstBucket());
            m.put("direction", c.direction());
            canaryList.add(m);
        }
        channels.put("canaries", canaryList);
        doc.put("channels", channels);
        return Json.pretty(doc);
    }

    /**
     * Parses a registry file.
     *
     * @throws IllegalArgumentException naming what is malformed
     */
    public static StoreRegistry fromJson(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> doc)) {
            throw new IllegalArgumentException("the registry is not a JSON object");
        }
        long version = number(doc, "registryVersion");
        if (version > REGISTRY_VERSION) {
            throw new IllegalArgumentException(
                    "registry version " + version + " is newer than " + REGISTRY_VERSION + "; upgrade snapshot-loader");
        }
        List<SnapshotRecord> snapshots = new ArrayList<>();
        for (Object o : list(doc, "snapshots")) {
            Map<?, ?> m = map(o, "snapshots[]");
            Map<String, String> provenance = new TreeMap<>();
            if (m.get("provenance") instanceof Map<?, ?> p) {
                p.forEach((k, v) -> provenance.put(k.toString(), String.valueOf(v)));
            }
            snapshots.add(new SnapshotRecord(
                    text(m, "id"),
                    text(m, "file"),
                    text(m, "contentHash"),
                    text(m, "created"),
                    number(m, "size"),
                    provenance,
                    text(m, "status"),
                    optText(m, "reason"),
                    optText(m, "changedAt")));
        }
        Map<?, ?> channels = map(doc.get("channels"), "channels");
        Map<?, ?> stableChannel = map(channels.get("stable"), "channels.stable");
        Object stableId = stableChannel.get("snapshotId");
        List<String> previous = new ArrayList<>();
        for (Object o : list(channels, "previousStable")) {
            previous.add(o.toString());
        }
        List<Canary> canaries = new ArrayList<>();
        for (Object o : list(channels, "canaries")) {
            Map<?, ?> c = map(o, "canaries[]");
            Map<?, ?> rule = map(c.get("rule"), "canary rule");
            Set<String> allow = new TreeSet<>();
            for (Object a : list(rule, "allowlist")) {
                allow.add(a.toString());
            }
            canaries.add(new Canary(
                    text(c, "name"),
                    text(c, "snapshotId"),
                    new CanaryRule(decimal(rule, "percent"), allow, Boolean.TRUE.equals(rule.get("pinnable"))),
                    guard(c.get("guard")),
                    (int) number(c, "firstBucket"),
                    (int) number(c, "direction")));
        }
        return new StoreRegistry(
                number(doc, "revision"),
                optText(doc, "updated"),
                optText(doc, "change"),
                snapshots,
                stableId == null ? null : stableId.toString(),
                guard(stableChannel.get("guard")),
                previous,
                canaries);
    }

    private static Object guardJson(Guard g) {
        if (g == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("maxFailureRate", g.maxFailureRate());
        m.put("window", g.window().toString());
        m.put("minRequests", g.minRequests());
        return m;
    }

    private static Guard guard(Object o) {
        if (o == null) {
            return null;
        }
        Map<?, ?> m = map(o, "guard");
        return new Guard(decimal(m, "maxFailureRate"), Duration.parse(text(m, "window")), number(m, "minRequests"));
    }

    private static Map<?, ?> map(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("'" + what + "' is missing or not an object");
        }
        return m;
    }

    private static List<?> list(Map<?, ?> m, String key) {
        Object o = m.get(key);
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + key + "' is not a list");
        }
        return l;
    }

    private static String text(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof String s)) {
            throw new IllegalArgumentException("'" + key + "' is missing or not a string");
        }
        return s;
    }

    private static String optText(Map<?, ?> m, String key) {
        return m.get(key) == null ? "" : m.get(key).toString();
    }

    private static long number(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("'" + key + "' is missing or not a number");
        }
        return n.longValue();
    }

    private static double decimal(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("'" + key + "' is missing or not a number");
        }
        return n.doubleValue();
    }
}
