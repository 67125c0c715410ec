package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.ConfigException;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotOption;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code get FILE KEY} and {@code keys [--json] FILE [PREFIX]}: config values as a person or a script reads them.
 * Both open the snapshot with per-entry verification, so damaged data is refused instead of printed.
 */
final class ConfigCommand {
    private final PrintStream out;

    ConfigCommand(PrintStream out) {
        this.out = out;
    }

    /** {@code get FILE KEY}: a value as text (placeholders resolved), a list or map as JSON. */
    int get(List<String> args) throws IOException {
        if (args.size() != 2) {
            throw new UsageException("usage: get FILE KEY");
        }
        String key = args.get(1);
        try (Snapshot snapshot = Snapshot.open(Path.of(args.get(0)), SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            Config config = snapshot.config();
            if (config.contains(key)) {
                Object stored = config.value(key);
                out.println(
                        stored instanceof List || stored instanceof Map ? Json.compact(stored) : config.getString(key));
                return SnapshotCli.OK;
            }
            Config under = config.subtree(key);
            if (under.size() == 0) {
                config.getString(key); // throws the ConfigException that names the key and what to do
            }
            out.print(Json.pretty(tree(under)));
            return SnapshotCli.OK;
        }
    }

    /** {@code keys [--json] FILE [PREFIX]}: every key (under PREFIX), its type and its stored value. */
    int keys(List<String> args) throws IOException {
        boolean json = args.remove("--json");
        if (args.isEmpty() || args.size() > 2) {
            throw new UsageException("usage: keys [--json] FILE [PREFIX]");
        }
        String prefix = args.size() == 2 ? args.get(1) : "";
        try (Snapshot snapshot = Snapshot.open(Path.of(args.get(0)), SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            Config config = snapshot.config();
            List<String> keys = new ArrayList<>();
            if (!prefix.isEmpty() && config.contains(prefix)) {
                keys.add(prefix);
            }
            for (String relative : config.subtree(prefix).keys()) {
                keys.add(ConfigPath.join(prefix, relative));
            }
            if (json) {
                List<Object> rows = new ArrayList<>();
                for (String key : keys) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("key", key);
                    row.put("type", typeName(config.value(key)));
                    row.put("value", config.value(key));
                    rows.add(row);
                }
                out.print(Json.pretty(rows));
                return SnapshotCli.OK;
            }
            int width = 0;
            for (String key : keys) {
                width = Math.max(width, key.length());
            }
            for (String key : keys) {
                Object value = config.value(key);
                out.println(pad(key, width) + "  " + pad(typeName(value), 7) + "  " + Json.compact(value));
            }
            if (keys.isEmpty() && !prefix.isEmpty()) {
                throw new ConfigException(snapshot.file() + ": no config key is '" + prefix + "' or under it; run "
                        + "'keys FILE' to list them all");
            }
            return SnapshotCli.OK;
        }
    }

    /** @return the type of a value as {@link Config#value} returns it, in the words of docs/format.md */
    static String typeName(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Long) {
            return "integer";
        } else if (value instanceof Double || value instanceof BigDecimal) {
            return "decimal";
        } else if (value instanceof Boolean) {
            return "boolean";
        } else if (value instanceof List) {
            return "list";
        } else {
            return "map";
        }
    }

    /** Rebuilds the nested lists and maps that a view's flat keys were compiled from. */
    private static Object tree(Config view) {
        Map<Object, Object> root = new LinkedHashMap<>();
        for (String key : view.keys()) {
            Object stored = view.value(key);
            Object value = stored instanceof String ? view.getString(key) : stored;
            List<Object> path = ConfigPath.parse(key);
            Map<Object, Object> node = root;
            for (int i = 0; i < path.size() - 1; i++) {
                Object child = node.get(path.get(i));
                if (!(child instanceof Map)) {
                    child = new LinkedHashMap<>();
                    node.put(path.get(i), child);
                }
                @SuppressWarnings("unchecked") // every inner node is a map created just above
                Map<Object, Object> inner = (Map<Object, Object>) child;
                node = inner;
            }
            node.put(path.get(path.size() - 1), value);
        }
        return finish(root);
    }

    /** Turns maps keyed by list indices (sorted, as the table sorts {@code [10]} before {@code [2]}) into lists. */
    private static Object finish(Object node) {
        if (!(node instanceof Map<?, ?> map)) {
            return node;
        }
        boolean isList = !map.isEmpty() && map.keySet().iterator().next() instanceof Integer;
        if (isList) {
            List<Object> list = new ArrayList<>();
            for (Object child : new TreeMap<>(map).values()) {
                list.add(finish(child));
            }
            return list;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), finish(v)));
        return out;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
