package dev.warmstart.snapshot.plugin.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.warmstart.snapshot.format.ConfigPath;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML ({@code .yml}, {@code .yaml}) and JSON ({@code .json}) files into {@link ParsedDocument}s, with
 * every problem reported with its file, line and column: bytes that are not UTF-8, malformed syntax, duplicate
 * keys, several documents in one file, alias abuse, oversized or absurdly nested input, unsupported tags.
 */
public final class StructuredFileReader {
    /** Default largest input, in code points. */
    public static final int DEFAULT_MAX_CODE_POINTS = 16 * 1024 * 1024;
    /** Most values a document may expand to (aliases can multiply a small file). */
    static final int MAX_VALUES = 2_000_000;

    private static final int MAX_ALIASES = 50;
    private static final int MAX_DEPTH = 200;
    /** Most repeated keys a Dify export may hold (real ones hold a few; each costs a scan of the locations). */
    private static final int MAX_DUPLICATE_KEYS = 1000;

    private final int maxCodePoints;
    private final boolean lastDuplicateKeyWins;

    /** @param maxCodePoints the largest input accepted */
    public StructuredFileReader(int maxCodePoints) {
        this(maxCodePoints, false);
    }

    private StructuredFileReader(int maxCodePoints, boolean lastDuplicateKeyWins) {
        this.maxCodePoints = maxCodePoints;
        this.lastDuplicateKeyWins = lastDuplicateKeyWins;
    }

    /**
     * A reader for Dify exports: a key repeated in one mapping keeps its last value, as PyYAML's {@code safe_load}
     * (Dify's importer) and Python's {@code json} do, with a warning naming both lines. Real exports hold such
     * keys; config and prompt files stay strict.
     *
     * @return a reader with the same limits whose duplicate keys are warnings, the last value winning
     */
    public StructuredFileReader lastDuplicateKeyWins() {
        return new StructuredFileReader(maxCodePoints, true);
    }

    /** A reader with the default limits. */
    public StructuredFileReader() {
        this(DEFAULT_MAX_CODE_POINTS);
    }

    /**
     * Reads a file: JSON when it ends with {@code .json}, YAML otherwise.
     *
     * @return the document, or null after reporting why it cannot be used
     */
    public ParsedDocument read(Path file, Problems problems) {
        String text = readUtf8(file, problems);
        if (text == null) {
            return null;
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
            return readJsonText(file, text, problems);
        }
        return readYamlText(file, text, problems);
    }

    /**
     * Reads a file's bytes as strict UTF-8 (a BOM is dropped).
     *
     * @return the text, or null after reporting the first bad byte's line and column
     */
    public String readUtf8(Path file, Problems problems) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > 4L * maxCodePoints) {
                problems.error(
                        file,
                        0,
                        0,
                        "file is " + size + " bytes, larger than the " + maxCodePoints
                                + "-code-point limit; split it or raise <maxInputCodePoints>");
                return null;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            problems.error(file, 0, 0, "cannot read the file: " + e.getMessage());
            return null;
        }
        int start =
                bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf
                        ? 3
                        : 0;
        // Fast path: the JDK's String decoder (vectorised for ASCII). It replaces malformed input with U+FFFD,
        // so only a text holding U+FFFD is decoded again strictly, to tell a real U+FFFD from a bad byte.
        String text = new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int bad = in.position();
            int line = 1;
            int lineStart = start;
            for (int i = start; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
            problems.error(
                    file,
                    line,
                    column,
                    String.format("byte 0x%02x is not valid UTF-8; save the file as UTF-8", bytes[bad] & 0xff));
            return null;
        }
        decoder.flush(out);
        out.flip();
        return out.toString();
    }

    /**
     * Parses YAML text (one document).
     *
     * @return the document, or null after reporting why it cannot be used
     */
    public ParsedDocument readYamlText(Path file, String text, Problems problems) {
        return readYamlText(file, text, problems, 0);
    }

    /**
     * Parses YAML text embedded in another file, reporting lines shifted by {@code lineOffset}.
     *
     * @return the document, or null after reporting why it cannot be used
     */
    public ParsedDocument readYamlText(Path file, String text, Problems problems, int lineOffset) {
        if (text.codePointCount(0, text.length()) > maxCodePoints) {
            problems.error(
                    file,
                    0,
                    0,
                    "YAML input is larger than " + maxCodePoints
                            + " code points; split it or raise <maxInputCodePoints>");
            return null;
        }
        LoaderOptions options = new LoaderOptions();
        // Duplicates are found (and refused or warned about) by the converter, which knows both lines.
        options.setAllowDuplicateKeys(lastDuplicateKeyWins);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setCodePointLimit(Math.max(maxCodePoints, 1));
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(options);
        Node node;
        try {
            Iterator<Node> documents = yaml.composeAll(new StringReader(text)).iterator();
            if (!documents.hasNext()) {
                problems.error(file, 0, 0, "the file is empty; write a YAML mapping or delete the file");
                return null;
            }
            node = documents.next();
            if (documents.hasNext()) {
                Node second = documents.next();
                problems.error(
                        file,
                        second.getStartMark().getLine() + 1 + lineOffset,
                        0,
                        "the file holds more than one YAML document ('---'); keep one document per file");
                return null;
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.error(
                    file,
                    mark == null ? 0 : mark.getLine() + 1 + lineOffset,
                    mark == null ? 0 : mark.getColumn() + 1,
                    "malformed YAML: " + oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage())
                            + (e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : ""));
            return null;
        } catch (YAMLException e) {
            problems.error(
                    file,
                    0,
                    0,
                    "YAML refused: " + oneLine(e.getMessage())
                            + (e.getMessage() != null && e.getMessage().contains("aliases")
                                    ? "; anchors and aliases may not expand into more than " + MAX_ALIASES
                                            + " collections"
                                    : ""));
            return null;
        } catch (IllegalArgumentException e) { // found by fuzzing: SnakeYAML refuses some tags this way
            problems.error(file, 0, 0, "malformed YAML: " + oneLine(e.getMessage()));
            return null;
        }
        if (node == null) {
            problems.error(file, 0, 0, "the file is empty; write a YAML mapping or delete the file");
            return null;
        }
        YamlConverter converter = new YamlConverter(file, problems, lineOffset, lastDuplicateKeyWins);
        Object root = converter.convert(node, "", 0);
        if (converter.failed) {
            return null;
        }
        return new ParsedDocument(file, root, converter.locations, lineOffset);
    }

    /**
     * Parses JSON text.
     *
     * @return the document, or null after reporting why it cannot be used
     */
    public ParsedDocument readJsonText(Path file, String text, Problems problems) {
        if (text.codePointCount(0, text.length()) > maxCodePoints) {
            problems.error(
                    file,
                    0,
                    0,
                    "JSON input is larger than " + maxCodePoints
                            + " code points; split it or raise <maxInputCodePoints>");
            return null;
        }
        JsonFactory factory = lastDuplicateKeyWins
                ? JsonFactory.builder().build()
                : JsonFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();
        Map<String, int[]> locations = new HashMap<>();
        DuplicateKeys duplicates = lastDuplicateKeyWins ? new DuplicateKeys(file, problems, 0) : null;
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.error(file, 0, 0, "the file is empty; write a JSON object or delete the file");
                return null;
            }
            Object root = jsonValue(parser, "", locations, 0, duplicates);
            if (parser.nextToken() != null) {
                JsonLocation at = parser.currentTokenLocation();
                problems.error(file, at.getLineNr(), at.getColumnNr(), "unexpected content after the JSON value");
                return null;
            }
            return new ParsedDocument(file, root, locations, 0);
        } catch (DuplicateKeysRefused e) {
            return null;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String message = oneLine(e.getOriginalMessage());
            if (message.startsWith("Duplicate field")) {
                message = "duplicate key: " + message + "; keep one of them";
            } else {
                message = "malformed JSON: " + message;
            }
            problems.error(file, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), message);
            return null;
        } catch (IOException e) {
            problems.error(file, 0, 0, "cannot parse JSON: " + e.getMessage());
            return null;
        }
    }

    private static Object jsonValue(
            JsonParser p, String path, Map<String, int[]> locations, int depth, DuplicateKeys duplicates)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new JsonParseException(p, "nesting deeper than " + MAX_DEPTH + " levels");
        }
        JsonLocation at = p.currentTokenLocation();
        locations.put(path, new int[] {at.getLineNr(), at.getColumnNr()});
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                Map<String, Integer> keyLines = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    p.nextToken();
                    String child = ConfigPath.child(path, key);
                    if (duplicates != null
                            && map.containsKey(key)
                            && !duplicates.replaced(path, key, keyLines.get(key), keyLine, locations)) {
                        throw new DuplicateKeysRefused();
                    }
                    keyLines.put(key, keyLine);
                    map.put(key, jsonValue(p, child, locations, depth + 1, duplicates));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(jsonValue(p, ConfigPath.index(path, list.size()), locations, depth + 1, duplicates));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue()
                        : p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                try {
                    return p.getDecimalValue();
                } catch (NumberFormatException e) { // found by fuzzing: an exponent such as 1E6666666666666
                    throw new com.fasterxml.jackson.core.JsonParseException(
                            p, "the number " + p.getText() + " is out of range; quote it to keep it as text");
                }
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new JsonParseException(p, "unexpected token " + token);
        }
    }

    /** Unwinds the JSON reader once {@link DuplicateKeys} has reported too many repeated keys. */
    private static final class DuplicateKeysRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DuplicateKeysRefused() {
            super(null, null, false, false);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    /**
     * Reports a repeated key whose last value wins, and forgets the locations recorded under the first value so
     * lines point at the value kept.
     */
    private static final class DuplicateKeys {
        private final Path file;
        private final Problems problems;
        private final int lineOffset;
        private int count;

        DuplicateKeys(Path file, Problems problems, int lineOffset) {
            this.file = file;
            this.problems = problems;
            this.lineOffset = lineOffset;
        }

        /** @return false when the file holds so many repeated keys that it is refused (the error is reported) */
        boolean replaced(String path, String key, int firstLine, int lastLine, Map<String, int[]> locations) {
            if (++count > MAX_DUPLICATE_KEYS) {
                problems.error(
                        file,
                        lastLine + lineOffset,
                        0,
                        "more than " + MAX_DUPLICATE_KEYS + " repeated keys; this is not a Dify export as Dify"
                                + " writes it: export the app again");
                return false;
            }
            String child = ConfigPath.child(path, key);
            locations.keySet().removeIf(p -> p.equals(child) || p.startsWith(child + ".") || p.startsWith(child + "["));
            String where = problems.display(file).toString().replace('\\', '/');
            problems.warning(
                    file,
                    lastLine + lineOffset,
                    0,
                    "duplicate key '" + key + "'" + (path.isEmpty() ? "" : " under '" + path + "'") + " at "
                            + where + ":" + (firstLine + lineOffset) + " and " + where + ":" + (lastLine + lineOffset)
                            + "; the last value is used, as Dify's importer (PyYAML safe_load) does: delete the"
                            + " other one");
            return true;
        }
    }

    /** Turns a SnakeYAML node graph into a plain tree, recording locations and refusing what a config can't be. */
    private static final class YamlConverter {
        private final Path file;
        private final Problems problems;
        private final int lineOffset;
        private final DuplicateKeys duplicates;
        private final Map<String, int[]> locations = new HashMap<>();
        private final Map<Node, Boolean> inProgress = new IdentityHashMap<>();
        private int values;
        private boolean failed;

        YamlConverter(Path file, Problems problems, int lineOffset, boolean lastDuplicateKeyWins) {
            this.file = file;
            this.problems = problems;
            this.lineOffset = lineOffset;
            this.duplicates = lastDuplicateKeyWins ? new DuplicateKeys(file, problems, lineOffset) : null;
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
                fail(
                        node,
                        "an alias refers to a node that contains it (a recursive structure); a config must be a tree");
                return null;
            }
            Mark mark = node.getStartMark();
            boolean block = node instanceof ScalarNode s
                    && (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                            || s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED);
            locations.putIfAbsent(
                    path, new int[] {mark.getLine() + 1, mark.getColumn() + 1, block ? 1 : 0, styleOf(node)});
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
}
