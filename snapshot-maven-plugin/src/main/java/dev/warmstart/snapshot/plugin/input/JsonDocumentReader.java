package dev.warmstart.snapshot.plugin.input;

import static dev.warmstart.snapshot.plugin.input.ReadLimits.MAX_DEPTH;
import static dev.warmstart.snapshot.plugin.input.ReadLimits.oneLine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.warmstart.snapshot.format.ConfigPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses JSON text into a {@link ParsedDocument}, recording each value's line and column. */
final class JsonDocumentReader {
    private final int maxCodePoints;
    private final boolean lastDuplicateKeyWins;

    JsonDocumentReader(int maxCodePoints, boolean lastDuplicateKeyWins) {
        this.maxCodePoints = maxCodePoints;
        this.lastDuplicateKeyWins = lastDuplicateKeyWins;
    }

    /** @return the document, or null after reporting why it cannot be used */
    ParsedDocument read(Path file, String text, Problems problems) {
        if (!ReadLimits.withinSize(file, text, maxCodePoints, "JSON", problems)) {
            return null;
        }
        JsonFactory factory = lastDuplicateKeyWins
                ? JsonFactory.builder().build()
                : JsonFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                        .build();
        Map<String, int[]> locations = new HashMap<>();
        DuplicateKeyPolicy duplicates = lastDuplicateKeyWins ? new DuplicateKeyPolicy(file, problems, 0) : null;
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
            JsonParser p, String path, Map<String, int[]> locations, int depth, DuplicateKeyPolicy duplicates)
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
                    throw new JsonParseException(
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

    /** Unwinds the JSON reader once {@link DuplicateKeyPolicy} has reported too many repeated keys. */
    private static final class DuplicateKeysRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DuplicateKeysRefused() {
            super(null, null, false, false);
        }
    }
}
