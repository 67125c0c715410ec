package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.format.ConfigTableLayout;
import dev.warmstart.snapshot.format.Json;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Compiles config trees into the flat, sorted key table the loader binary-searches (see
 * {@code docs/format.md} §6), and into canonical JSON for humans. Build-time side; JDK only.
 *
 * <p>Trees are plain Java values: {@code Map<String,?>} in any key order, {@code List<?>}, {@code String},
 * integral numbers, {@code Float/Double/BigDecimal}, {@code Boolean} and {@code null}.
 */
public final class ConfigTableWriter {
    /** Orders keys by their unsigned UTF-8 bytes, the order the loader searches in. */
    public static final Comparator<String> KEY_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** Marker value of an empty list in {@link #entries()}. */
    public static final List<Object> EMPTY_LIST = Collections.emptyList();
    /** Marker value of an empty map in {@link #entries()}. */
    public static final Map<String, Object> EMPTY_MAP = Collections.emptyMap();

    private final TreeMap<String, Object> entries = new TreeMap<>(KEY_ORDER);

    /**
     * Adds a tree under a prefix.
     *
     * @param prefix an already-escaped path ({@link ConfigPath}), "" for the root
     * @param tree the values
     * @throws IllegalArgumentException when a key is added twice, a key is both a value and a parent, or a value
     *     has an unsupported type
     */
    public void put(String prefix, Object tree) {
        flatten(prefix, tree);
    }

    /** @return the number of keys */
    public int size() {
        return entries.size();
    }

    /**
     * @return every key and its value as written, in table order: {@code String}, {@code Long}, {@code Double},
     *     {@code BigDecimal}, {@code Boolean}, {@code null}, {@link #EMPTY_LIST} or {@link #EMPTY_MAP}
     */
    public SortedMap<String, Object> entries() {
        return Collections.unmodifiableSortedMap(entries);
    }

    /** @return the binary key table */
    public byte[] toTableBytes() {
        ByteArrayOutputStream heap = new ByteArrayOutputStream();
        ByteBuffer records = ByteBuffer.allocate(entries.size() * ConfigTableLayout.RECORD_LENGTH);
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int keyOffset = heap.size();
            heap.writeBytes(key);
            int type = typeOf(e.getValue());
            byte[] value = encode(type, e.getValue());
            int valueOffset = heap.size();
            heap.writeBytes(value);
            records.putInt(keyOffset)
                    .putInt(key.length)
                    .putInt(valueOffset)
                    .putInt(value.length)
                    .put((byte) type)
                    .put((byte) 0)
                    .put((byte) 0)
                    .put((byte) 0);
        }
        ByteBuffer out = ByteBuffer.allocate(ConfigTableLayout.HEADER_LENGTH + records.capacity() + heap.size());
        out.put(ConfigTableLayout.MAGIC).putInt(entries.size()).putInt(heap.size());
        out.put(records.array()).put(heap.toByteArray());
        return out.array();
    }

    /**
     * @return the whole config as canonical JSON: object keys in table order, 2-space indentation, {@code \n}
     *     line ends and a trailing newline; the same tree in any key order gives the same bytes
     */
    public byte[] toCanonicalJson() {
        TreeMap<String, Object> root = new TreeMap<>(KEY_ORDER);
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            insert(root, ConfigPath.parse(e.getKey()), e.getValue());
        }
        return Json.pretty(toJsonTree(root)).getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static void insert(TreeMap<String, Object> root, List<Object> path, Object value) {
        TreeMap<Object, Object> node = (TreeMap<Object, Object>) (TreeMap<?, ?>) root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object child = node.get(path.get(i));
            if (!(child instanceof TreeMap)) {
                child = container(path.get(i + 1));
                node.put(path.get(i), child);
            }
            node = (TreeMap<Object, Object>) child;
        }
        node.put(path.get(path.size() - 1), value);
    }

    private static Object container(Object nextSegment) {
        return nextSegment instanceof Integer ? new TreeMap<Integer, Object>() : new TreeMap<String, Object>(KEY_ORDER);
    }

    private static Object toJsonTree(Object node) {
        if (node instanceof TreeMap<?, ?> map) {
            if (!map.isEmpty() && map.firstKey() instanceof Integer) {
                List<Object> list = new ArrayList<>();
                for (Object v : map.values()) {
                    list.add(toJsonTree(v));
                }
                return list;
            }
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, toJsonTree(v)));
            return out;
        }
        return node;
    }

    private void flatten(String path, Object value) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                add(path, EMPTY_MAP);
                return;
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(
                            "config key '" + e.getKey() + "' under '" + path + "' is not a string");
                }
                if (key.isEmpty()) {
                    // An empty segment would make "a." and "a" (or "" and the root) ambiguous.
                    throw new IllegalArgumentException("config key under '" + path + "' is empty; give it a name");
                }
                flatten(ConfigPath.child(path, key), e.getValue());
            }
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                add(path, EMPTY_LIST);
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                flatten(ConfigPath.index(path, i), list.get(i));
            }
        } else {
            add(path, normalize(path, value));
        }
    }

    private void add(String key, Object value) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a config value needs a key: put a map at the root, not a "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        if (entries.containsKey(key)) {
            throw new IllegalArgumentException("config key '" + key + "' is defined twice");
        }
        // A key must not be both a value and the parent of other keys (e.g. "a" and "a.b").
        String parent = parentOf(key);
        while (parent != null) {
            if (entries.containsKey(parent)) {
                throw new IllegalArgumentException(
                        "config key '" + key + "' is under '" + parent + "', which already holds a value");
            }
            parent = parentOf(parent);
        }
        for (String childStart : new String[] {key + ".", key + "["}) {
            String next = entries.ceilingKey(childStart);
            if (next != null && next.startsWith(childStart)) {
                throw new IllegalArgumentException(
                        "config key '" + key + "' already has children such as '" + next + "'");
            }
        }
        entries.put(key, value);
    }

    /** @return the path of the nearest enclosing map or list, or null at the top */
    private static String parentOf(String key) {
        for (int i = key.length() - 1; i > 0; i--) {
            char c = key.charAt(i);
            if ((c == '.' || c == '[') && !escaped(key, i)) {
                return key.substring(0, i);
            }
        }
        return null;
    }

    private static boolean escaped(String key, int i) {
        int backslashes = 0;
        for (int j = i - 1; j >= 0 && key.charAt(j) == '\\'; j--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static Object normalize(String key, Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < 64 ? (Object) big.longValue() : new BigDecimal(big);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(
                        "config key '" + key + "' holds " + d + ", which JSON and the config table cannot represent");
            }
            return d;
        }
        if (value instanceof BigDecimal big) {
            double d = big.doubleValue();
            if (!Double.isInfinite(d) && new BigDecimal(Double.toString(d)).compareTo(big) == 0) {
                return d;
            }
            return big;
        }
        throw new IllegalArgumentException("config key '" + key + "' holds a "
                + value.getClass().getName() + "; only strings, numbers, booleans, null, lists and maps are supported");
    }

    private static int typeOf(Object value) {
        if (value == null) {
            return ConfigTableLayout.TYPE_NULL;
        }
        if (value instanceof String s) {
            return hasPlaceholders(s) ? ConfigTableLayout.TYPE_STRING_WITH_PLACEHOLDERS : ConfigTableLayout.TYPE_STRING;
        }
        if (value instanceof Long) {
            return ConfigTableLayout.TYPE_LONG;
        }
        if (value instanceof Double) {
            return ConfigTableLayout.TYPE_DOUBLE;
        }
        if (value instanceof BigDecimal) {
            return ConfigTableLayout.TYPE_BIG_NUMBER;
        }
        if (value instanceof Boolean) {
            return ConfigTableLayout.TYPE_BOOLEAN;
        }
        if (value == EMPTY_LIST) {
            return ConfigTableLayout.TYPE_EMPTY_LIST;
        }
        return ConfigTableLayout.TYPE_EMPTY_MAP;
    }

    /** Build time decides which strings need placeholder resolution, so lookups of plain strings never scan. */
    static boolean hasPlaceholders(String s) {
        return s.contains("${env:") || s.contains("${sys:") || s.contains("$${");
    }

    private static byte[] encode(int type, Object value) {
        switch (type) {
            case ConfigTableLayout.TYPE_STRING:
            case ConfigTableLayout.TYPE_STRING_WITH_PLACEHOLDERS:
                return ((String) value).getBytes(StandardCharsets.UTF_8);
            case ConfigTableLayout.TYPE_LONG:
                return ByteBuffer.allocate(8).putLong((Long) value).array();
            case ConfigTableLayout.TYPE_DOUBLE:
                return ByteBuffer.allocate(8).putDouble((Double) value).array();
            case ConfigTableLayout.TYPE_BIG_NUMBER:
                return ((BigDecimal) value).toString().getBytes(StandardCharsets.US_ASCII);
            case ConfigTableLayout.TYPE_BOOLEAN:
                return new byte[] {(byte) (((Boolean) value) ? 1 : 0)};
            default:
                return new byte[0];
        }
    }
}
