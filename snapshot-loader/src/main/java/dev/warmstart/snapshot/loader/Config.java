package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.format.ConfigTableLayout;
import dev.warmstart.snapshot.format.Json;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Typed config lookups over a snapshot's compiled key table, read straight from the mapped file: a lookup is a
 * binary search comparing key bytes in place, and only the value found is decoded. Keys are flat paths
 * ({@code model.completion_params.temperature}, {@code stop[0]}; see {@code docs/format.md} §6).
 *
 * <p>A string value holding {@code ${env:NAME}}, {@code ${sys:NAME}} or {@code ${env:NAME:-default}} is
 * resolved at each lookup from the environment or system properties (<code>$${</code> is a literal <code>${</code>). A
 * variable that is unset and has no default is a {@link ConfigException}.
 *
 * <p>Numeric getters accept numbers and strings that parse (so {@code ${env:PORT:-8080}} works with
 * {@link #getInt}); {@link #getString} of a number or boolean gives its text. A {@code null} value counts as
 * absent for the forms with a default and the {@code find} forms, and is an error for the others.
 *
 * <p>Immutable and thread-safe. {@link #subtree} gives a view relative to a prefix, without copying.
 */
public final class Config {
    private final ConfigTable table;
    /**
     * Null for the process's environment and system properties: made when a value with a placeholder is read, so
     * that a start-up whose lookups find none does not load the class.
     */
    private final Placeholders placeholders;

    private final String source;
    private final String prefix;

    /** A config whose placeholders read the process's environment and system properties. */
    Config(ByteBuffer table, String source) {
        this(table, source, null, null);
    }

    Config(ByteBuffer table, String source, UnaryOperator<String> env, UnaryOperator<String> sys) {
        this(
                new ConfigTable(table, source, null),
                env == null && sys == null ? null : new Placeholders(env, sys, source),
                source,
                "");
    }

    /** A config over a table mapped from {@code mapped}, whose faults are reported as the file changing size. */
    Config(ByteBuffer table, String source, MappedFile mapped) {
        this(new ConfigTable(table, source, mapped), null, source, "");
    }

    private Config(ConfigTable table, Placeholders placeholders, String source, String prefix) {
        this.table = table;
        this.placeholders = placeholders;
        this.source = source;
        this.prefix = prefix;
    }

    /** @return the config of a snapshot that has no config table: every lookup finds nothing */
    static Config empty(String source) {
        return new Config(ByteBuffer.wrap(ConfigTableLayout.emptyTable()).asReadOnlyBuffer(), source);
    }

    // ---- strings ----

    /**
     * @return the value of {@code key} as text (placeholders resolved)
     * @throws ConfigException when the key is absent or null, is a list or map, or a placeholder is unset
     */
    public String getString(String key) {
        return require(key, findString(key));
    }

    /** @return the value of {@code key} as text, or {@code defaultValue} when absent or null */
    public String getString(String key, String defaultValue) {
        return findString(key).orElse(defaultValue);
    }

    /** @return the value of {@code key} as text, or empty when absent or null */
    public Optional<String> findString(String key) {
        int r = find(key);
        if (r < 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(text(r, key));
    }

    // ---- numbers and booleans ----

    /** @return the value of {@code key} as an int @throws ConfigException when absent, null, or not an int */
    public int getInt(String key) {
        return require(key, findInt(key));
    }

    /** @return the value of {@code key} as an int, or {@code defaultValue} when absent or null */
    public int getInt(String key, int defaultValue) {
        return findInt(key).orElse(defaultValue);
    }

    /** @return the value of {@code key} as an int, or empty when absent or null @throws ConfigException when not an int */
    public Optional<Integer> findInt(String key) {
        return findLong(key).map(v -> {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw Failures.config(source + ": config key '" + full(key) + "' = " + v + " does not fit an int; "
                        + "read it with getLong");
            }
            return v.intValue();
        });
    }

    /** @return the value of {@code key} as a long @throws ConfigException when absent, null, or not an integer */
    public long getLong(String key) {
        return require(key, findLong(key));
    }

    /** @return the value of {@code key} as a long, or {@code defaultValue} when absent or null */
    public long getLong(String key, long defaultValue) {
        return findLong(key).orElse(defaultValue);
    }

    /** @return the value of {@code key} as a long, or empty when absent or null @throws ConfigException when not an integer */
    public Optional<Long> findLong(String key) {
        int r = find(key);
        if (r < 0) {
            return Optional.empty();
        }
        switch (table.type(r)) {
            case ConfigTableLayout.TYPE_LONG:
                return Optional.of(table.longValue(r));
            case ConfigTableLayout.TYPE_NULL:
                return Optional.empty();
            default:
                return Optional.of(parse(key, text(r, key), "an integer", Long::parseLong));
        }
    }

    /** @return the value of {@code key} as a double @throws ConfigException when absent, null, or not a number */
    public double getDouble(String key) {
        return require(key, findDouble(key));
    }

    /** @return the value of {@code key} as a double, or {@code defaultValue} when absent or null */
    public double getDouble(String key, double defaultValue) {
        return findDouble(key).orElse(defaultValue);
    }

    /** @return the value of {@code key} as a double, or empty when absent or null @throws ConfigException when not a number */
    public Optional<Double> findDouble(String key) {
        int r = find(key);
        if (r < 0) {
            return Optional.empty();
        }
        switch (table.type(r)) {
            case ConfigTableLayout.TYPE_DOUBLE:
                return Optional.of(table.doubleValue(r));
            case ConfigTableLayout.TYPE_LONG:
                return Optional.of((double) table.longValue(r));
            case ConfigTableLayout.TYPE_NULL:
                return Optional.empty();
            default:
                return Optional.of(parse(key, text(r, key), "a number", Double::parseDouble));
        }
    }

    /** @return the value of {@code key} as a boolean @throws ConfigException when absent, null, or not a boolean */
    public boolean getBoolean(String key) {
        return require(key, findBoolean(key));
    }

    /** @return the value of {@code key} as a boolean, or {@code defaultValue} when absent or null */
    public boolean getBoolean(String key, boolean defaultValue) {
        return findBoolean(key).orElse(defaultValue);
    }

    /**
     * @return the value of {@code key} as a boolean ({@code true}/{@code false}, also as case-insensitive text),
     *     or empty when absent or null
     * @throws ConfigException when the value is not a boolean
     */
    public Optional<Boolean> findBoolean(String key) {
        int r = find(key);
        if (r < 0) {
            return Optional.empty();
        }
        if (table.type(r) == ConfigTableLayout.TYPE_BOOLEAN) {
            return Optional.of(table.booleanValue(r));
        }
        if (table.type(r) == ConfigTableLayout.TYPE_NULL) {
            return Optional.empty();
        }
        String text = text(r, key);
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Optional.of(Boolean.parseBoolean(text));
        }
        throw Failures.config(source + ": config key '" + full(key) + "' is '" + text + "', not a boolean");
    }

    // ---- lists and structure ----

    /**
     * @return the list at {@code key} ({@code key[0]}, {@code key[1]}... up to the first missing index), each
     *     element as text
     * @throws ConfigException when there is no list (nor empty list) at {@code key}
     */
    public List<String> getStringList(String key) {
        return findStringList(key).orElseThrow(() -> missing(key));
    }

    /** @return the list at {@code key} as {@link #getStringList(String)} does, or {@code defaultValue} when absent */
    public List<String> getStringList(String key, List<String> defaultValue) {
        return findStringList(key).orElse(defaultValue);
    }

    /** @return the list at {@code key} as {@link #getStringList(String)} does, or empty when absent */
    public Optional<List<String>> findStringList(String key) {
        int r = find(key);
        if (r >= 0 && table.type(r) == ConfigTableLayout.TYPE_EMPTY_LIST) {
            return Optional.of(List.of());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            String element = ConfigPath.index(key, i);
            if (find(element) < 0) {
                break;
            }
            out.add(getString(element));
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(Collections.unmodifiableList(out));
    }

    /**
     * @return a view of the keys under {@code path}, relative to it: {@code subtree("model").getString("name")}
     *     reads {@code model.name}, {@code subtree("stop").getString("[0]")} reads {@code stop[0]}
     */
    public Config subtree(String path) {
        return new Config(table, placeholders, source, ConfigPath.join(prefix, path));
    }

    /** @return whether {@code key} has a value (null included) */
    public boolean contains(String key) {
        return find(key) >= 0;
    }

    /** @return whether {@code key} holds an explicit null */
    public boolean isNull(String key) {
        int r = find(key);
        return r >= 0 && table.type(r) == ConfigTableLayout.TYPE_NULL;
    }

    /** @return every key of this view, relative to it, in table order (allocates: meant for tools) */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        if (prefix.isEmpty()) {
            for (int r = 0; r < table.count(); r++) {
                out.add(table.key(r));
            }
            return out;
        }
        for (String start : new String[] {prefix + ".", prefix + "["}) {
            byte[] startBytes = start.getBytes(StandardCharsets.UTF_8);
            for (int r = table.lowerBound(startBytes); r < table.count() && table.keyStartsWith(r, startBytes); r++) {
                String k = table.key(r);
                out.add(start.endsWith("[") ? k.substring(prefix.length()) : k.substring(start.length()));
            }
        }
        return out;
    }

    /** @return the number of keys in this view */
    public int size() {
        return prefix.isEmpty() ? table.count() : keys().size();
    }

    /**
     * @return the value as stored, placeholders unresolved: {@code String}, {@code Long}, {@code Double},
     *     {@code BigDecimal}, {@code Boolean}, {@code null}, {@code List.of()} for an empty list or
     *     {@code Map.of()} for an empty map
     * @throws ConfigException when the key is absent
     */
    public Object value(String key) {
        int r = find(key);
        if (r < 0) {
            throw missing(key);
        }
        switch (table.type(r)) {
            case ConfigTableLayout.TYPE_STRING:
            case ConfigTableLayout.TYPE_STRING_WITH_PLACEHOLDERS:
                return table.text(r);
            case ConfigTableLayout.TYPE_LONG:
                return table.longValue(r);
            case ConfigTableLayout.TYPE_DOUBLE:
                return table.doubleValue(r);
            case ConfigTableLayout.TYPE_BIG_NUMBER:
                try {
                    return new BigDecimal(table.text(r));
                } catch (NumberFormatException e) { // found by fuzzing: SnapshotFuzzFindingsTest
                    throw table.corrupt("has key '" + full(key) + "' whose big number is not a decimal number");
                }
            case ConfigTableLayout.TYPE_BOOLEAN:
                return table.booleanValue(r);
            case ConfigTableLayout.TYPE_NULL:
                return null;
            case ConfigTableLayout.TYPE_EMPTY_LIST:
                return List.of();
            case ConfigTableLayout.TYPE_EMPTY_MAP:
                return Map.of();
            default:
                throw table.corrupt("has key '" + full(key) + "' of unknown type " + table.type(r));
        }
    }

    /** @return the stored value as a JSON literal, placeholders unresolved (for diffs and tools) */
    public String describe(String key) {
        Object value = value(key);
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) { // found by fuzzing: the writer never
            throw table.corrupt("has key '" + full(key) + "' holding " + d + ", which no snapshot writer stores");
        }
        return Json.compact(value);
    }

    @Override
    public String toString() {
        return "Config[" + source + (prefix.isEmpty() ? "" : ", under '" + prefix + "'") + ", " + size() + " keys]";
    }

    // ---- internals ----

    private String text(int r, String key) {
        switch (table.type(r)) {
            case ConfigTableLayout.TYPE_STRING:
            case ConfigTableLayout.TYPE_BIG_NUMBER:
                return table.text(r);
            case ConfigTableLayout.TYPE_STRING_WITH_PLACEHOLDERS:
                Placeholders p = placeholders != null ? placeholders : new Placeholders(null, null, source);
                return p.resolve(table.text(r), full(key));
            case ConfigTableLayout.TYPE_LONG:
                return Long.toString(table.longValue(r));
            case ConfigTableLayout.TYPE_DOUBLE:
                return Double.toString(table.doubleValue(r));
            case ConfigTableLayout.TYPE_BOOLEAN:
                return table.booleanValue(r) ? "true" : "false";
            case ConfigTableLayout.TYPE_NULL:
                return null;
            case ConfigTableLayout.TYPE_EMPTY_LIST:
            case ConfigTableLayout.TYPE_EMPTY_MAP:
                throw Failures.config(source + ": config key '" + full(key) + "' is an empty "
                        + (table.type(r) == ConfigTableLayout.TYPE_EMPTY_LIST ? "list" : "map") + ", not a value");
            default:
                throw table.corrupt("has key '" + full(key) + "' of unknown type " + table.type(r));
        }
    }

    private <T> T parse(String key, String text, String what, Function<String, T> parser) {
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text.strip());
        } catch (NumberFormatException e) {
            throw Failures.config(source + ": config key '" + full(key) + "' is '" + text + "', not " + what, e);
        }
    }

    private <T> T require(String key, Optional<T> value) {
        if (value.isPresent()) {
            return value.get();
        }
        throw isNull(key)
                ? Failures.config(source + ": config key '" + full(key) + "' is null; give it a value or read it "
                        + "with a default")
                : missing(key);
    }

    private RuntimeException missing(String key) {
        return Failures.config(source + ": no config key '" + full(key) + "'; check the spelling (list the keys "
                + "with: java -jar snapshot-loader.jar keys FILE) or read it with a default");
    }

    private String full(String key) {
        // The root config's keys are the keys: no call into ConfigPath, a class less on a service's start-up path.
        return prefix.isEmpty() ? key : ConfigPath.join(prefix, key);
    }

    private int find(String key) {
        return table.find(full(key).getBytes(StandardCharsets.UTF_8));
    }
}
