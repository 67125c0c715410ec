package dev.warmstart.snapshot.format;

import java.util.ArrayList;
import java.util.List;

/**
 * The one rule that turns a nested config tree's keys into flat paths: map keys joined by {@code .}, list
 * indices as {@code [i]} — {@code model.completion_params.temperature}, {@code stop[0]},
 * {@code nodes[3].data.title}. A map key containing {@code .}, {@code [}, {@code ]} or {@code \} has each of
 * those characters preceded by a backslash ({@code "a.b"} → {@code a\.b}), so every path reads back
 * unambiguously. Users look keys up with the same spelling.
 */
public final class ConfigPath {
    private ConfigPath() {}

    /** @return {@code key} with {@code . [ ] \} escaped by a backslash */
    public static String escapeSegment(String key) {
        StringBuilder sb = null;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.' || c == '[' || c == ']' || c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder(key.length() + 4).append(key, 0, i);
                }
                sb.append('\\');
            }
            if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? key : sb.toString();
    }

    /** @return the path of map key {@code mapKey} under {@code parentPath} ("" for the root) */
    public static String child(String parentPath, String mapKey) {
        String segment = escapeSegment(mapKey);
        return parentPath.isEmpty() ? segment : parentPath + "." + segment;
    }

    /** @return the path of list element {@code i} under {@code parentPath} */
    public static String index(String parentPath, int i) {
        return parentPath + "[" + i + "]";
    }

    /**
     * Joins a relative path to a base path, as {@code Config.subtree} views do: {@code join("stop", "[0]")} is
     * {@code stop[0]}, {@code join("model", "name")} is {@code model.name}.
     */
    public static String join(String base, String relative) {
        if (base.isEmpty()) {
            return relative;
        }
        if (relative.isEmpty()) {
            return base;
        }
        return relative.charAt(0) == '[' ? base + relative : base + "." + relative;
    }

    /**
     * Splits a path into its segments: {@code String} map keys (unescaped) and {@code Integer} list indices.
     *
     * @throws IllegalArgumentException when the path is malformed
     */
    public static List<Object> parse(String path) {
        List<Object> segments = new ArrayList<>();
        StringBuilder key = new StringBuilder();
        boolean pendingKey = !path.isEmpty() && path.charAt(0) != '[';
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '\\') {
                if (i + 1 >= path.length()) {
                    throw new IllegalArgumentException("path '" + path + "' ends with a lone backslash");
                }
                key.append(path.charAt(i + 1));
                i += 2;
            } else if (c == '.') {
                if (pendingKey) {
                    segments.add(key.toString());
                }
                key.setLength(0);
                pendingKey = true;
                i++;
            } else if (c == '[') {
                if (pendingKey) {
                    segments.add(key.toString());
                }
                key.setLength(0);
                pendingKey = false;
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("path '" + path + "' has an unclosed '['");
                }
                try {
                    segments.add(Integer.parseInt(path.substring(i + 1, close)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("path '" + path + "' has a non-numeric index", e);
                }
                i = close + 1;
                if (i < path.length() && path.charAt(i) != '.' && path.charAt(i) != '[') {
                    throw new IllegalArgumentException("path '" + path + "' has text right after an index");
                }
            } else if (c == ']') {
                throw new IllegalArgumentException("path '" + path + "' has an unopened ']'");
            } else {
                key.append(c);
                i++;
            }
        }
        if (pendingKey) {
            segments.add(key.toString());
        }
        return segments;
    }
}
