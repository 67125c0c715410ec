package dev.warmstart.snapshot.plugin.input;

import static dev.warmstart.snapshot.plugin.input.ReadLimits.MAX_DEPTH;
import static dev.warmstart.snapshot.plugin.input.ReadLimits.MAX_VALUES;

import dev.warmstart.snapshot.format.ConfigPath;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Turns a SnakeYAML node graph into a plain tree, recording locations and refusing what a config can't be. */
final class YamlTreeConverter {
    private final Path file;
    private final Problems problems;
    private final int lineOffset;
    private final DuplicateKeyPolicy duplicates;
    private final Map<String, int[]> locations = new HashMap<>();
    private final Map<Node, Boolean> inProgress = new IdentityHashMap<>();
    private int values;
    private boolean failed;

    YamlTreeConverter(Path file, Problems problems, int lineOffset, boolean lastDuplicateKeyWins) {
        this.file = file;
        this.problems = problems;
        this.lineOffset = lineOffset;
        this.duplicates = lastDuplicateKeyWins ? new DuplicateKeyPolicy(file, problems, lineOffset) : null;
    }

    /** @return true once a problem was reported; the tree is then not to be used */
    boolean failed() {
        return failed;
    }

    /** @return each converted path's line, column, block flag and scalar style */
    Map<String, int[]> locations() {
        return locations;
    }

    Object convert(Node node, String path, int depth) {
        if (failed) {
            return null;
        }
        if (++values > MAX_VALUES) {
            fail(node, "the document expands to more than " + MAX_VALUES + " values (alias abuse?); simplify it");
            return null;
        }
        if (depth > MAX_DEPTH) {
            fail(node, "nesting deeper than " + MAX_DEPTH + " levels");
            return null;
        }
        if (inProgress.containsKey(node)) {
            fail(node, "an alias refers to a node that contains it (a recursive structure); a config must be a tree");
            return null;
        }
        Mark mark = node.getStartMark();
        boolean block = node instanceof ScalarNode s
                && (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                        || s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED);
        locations.putIfAbsent(path, new int[] {mark.getLine() + 1, mark.getColumn() + 1, block ? 1 : 0, styleOf(node)});
        inProgress.put(node, Boolean.TRUE);
        try {
            if (node instanceof MappingNode mapping) {
                return mapping(mapping, path, depth);
            }
            if (node instanceof SequenceNode sequence) {
                List<Object> list = new ArrayList<>();
                for (Node item : sequence.getValue()) {
                    list.add(convert(item, ConfigPath.index(path, list.size()), depth + 1));
                }
                return list;
            }
            return scalar((ScalarNode) node);
        } finally {
            inProgress.remove(node);
        }
    }

    private Map<String, Object> mapping(MappingNode mapping, String path, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new HashMap<>();
        Map<String, Object> merged = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (keyNode.getTag().equals(Tag.MERGE)) {
                merge(tuple.getValueNode(), path, depth, merged);
                continue;
            }
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                fail(keyNode, "a mapping key must be a plain value, not a list or mapping");
                return map;
            }
            String key = scalarKey.getValue();
            int keyLine = keyNode.getStartMark().getLine() + 1;
            if (map.containsKey(key) && duplicates != null) {
                if (!duplicates.replaced(path, key, keyLines.get(key), keyLine, locations)) {
                    failed = true;
                    return map;
                }
            } else if (map.containsKey(key)) {
                fail(
                        keyNode,
                        "duplicate key '" + key + "'" + (path.isEmpty() ? "" : " under '" + path + "'")
                                + "; keep one of them");
                return map;
            }
            keyLines.put(key, keyLine);
            map.put(key, convert(tuple.getValueNode(), ConfigPath.child(path, key), depth + 1));
        }
        // Explicit keys win over merged ones, as YAML's merge key defines.
        merged.forEach(map::putIfAbsent);
        return map;
    }

    private void merge(Node value, String path, int depth, Map<String, Object> into) {
        List<Node> sources = value instanceof SequenceNode s ? s.getValue() : List.of(value);
        for (Node source : sources) {
            if (!(source instanceof MappingNode)) {
                fail(source, "'<<' merges mappings only");
                return;
            }
            Object converted = convert(source, path, depth + 1);
            if (converted instanceof Map<?, ?> m) {
                m.forEach((k, v) -> into.putIfAbsent((String) k, v));
            }
        }
    }

    private Object scalar(ScalarNode node) {
        String v = node.getValue();
        Tag tag = node.getTag();
        if (tag.equals(Tag.STR) || tag.equals(Tag.TIMESTAMP) || tag.equals(Tag.BINARY)) {
            return v;
        }
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        if (tag.equals(Tag.BOOL)) {
            String lower = v.toLowerCase(Locale.ROOT);
            return lower.equals("true") || lower.equals("yes") || lower.equals("on") || lower.equals("y");
        }
        if (tag.equals(Tag.INT)) {
            return integer(node, v);
        }
        if (tag.equals(Tag.FLOAT)) {
            String clean = v.replace("_", "");
            String lower = clean.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".inf") || lower.endsWith(".nan")) {
                fail(node, "'" + v + "' is not a number a config can hold; quote it to keep it as text");
                return null;
            }
            try {
                return new BigDecimal(clean);
            } catch (NumberFormatException e) {
                try {
                    return Double.parseDouble(clean);
                } catch (NumberFormatException notANumber) { // found by fuzzing: YAML 1.1 calls "._" a float
                    fail(node, "'" + v + "' is not a number a config can hold; quote it to keep it as text");
                    return null;
                }
            }
        }
        fail(node, "unsupported YAML tag " + tag + "; use plain values");
        return null;
    }

    private Object integer(ScalarNode node, String text) {
        String v = text.replace("_", "");
        int sign = 1;
        if (v.startsWith("-") || v.startsWith("+")) {
            sign = v.startsWith("-") ? -1 : 1;
            v = v.substring(1);
        }
        int radix = 10;
        if (v.startsWith("0x")) {
            radix = 16;
            v = v.substring(2);
        } else if (v.startsWith("0o")) {
            radix = 8;
            v = v.substring(2);
        } else if (v.startsWith("0b")) {
            radix = 2;
            v = v.substring(2);
        } else if (v.length() > 1 && v.startsWith("0")) {
            radix = 8;
            v = v.substring(1);
        }
        try {
            BigInteger value = new BigInteger(v, radix);
            value = sign < 0 ? value.negate() : value;
            return value.bitLength() < 64 ? (Object) value.longValue() : value;
        } catch (NumberFormatException e) {
            // Sexagesimal and other YAML 1.1 oddities: keep the text rather than guess.
            return text;
        }
    }

    /** @return the scalar's style character ({@code '|'}, {@code '>'}, quotes, {@code 'p'} plain), 0 otherwise */
    private static char styleOf(Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            return 0;
        }
        Character c = scalar.getScalarStyle().getChar();
        return c == null ? 'p' : c;
    }

    private void fail(Node node, String message) {
        Mark mark = node.getStartMark();
        problems.error(file, mark.getLine() + 1 + lineOffset, mark.getColumn() + 1, message);
        failed = true;
    }
}
