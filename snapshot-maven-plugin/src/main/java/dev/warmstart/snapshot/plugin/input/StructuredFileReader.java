package dev.warmstart.snapshot.plugin.input;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads YAML ({@code .yml}, {@code .yaml}) and JSON ({@code .json}) files into {@link ParsedDocument}s, with
 * every problem reported with its file, line and column: bytes that are not UTF-8, malformed syntax, duplicate
 * keys, several documents in one file, alias abuse, oversized or absurdly nested input, unsupported tags.
 *
 * <p>The work is shared out: {@link Utf8Files} decodes, {@link YamlDocumentReader} with {@link YamlTreeConverter}
 * and {@link JsonDocumentReader} parse, {@link ReadLimits} holds the limits and {@link DuplicateKeyPolicy} the
 * lenient handling of repeated keys.
 */
public final class StructuredFileReader {
    /** Default largest input, in code points. */
    public static final int DEFAULT_MAX_CODE_POINTS = 16 * 1024 * 1024;

    private final int maxCodePoints;
    private final YamlDocumentReader yaml;
    private final JsonDocumentReader json;

    /** @param maxCodePoints the largest input accepted */
    public StructuredFileReader(int maxCodePoints) {
        this(maxCodePoints, false);
    }

    private StructuredFileReader(int maxCodePoints, boolean lastDuplicateKeyWins) {
        this.maxCodePoints = maxCodePoints;
        this.yaml = new YamlDocumentReader(maxCodePoints, lastDuplicateKeyWins);
        this.json = new JsonDocumentReader(maxCodePoints, lastDuplicateKeyWins);
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
        return Utf8Files.read(file, maxCodePoints, problems);
    }

    /** {@link #readUtf8}, keeping the bytes the text was decoded from. */
    Utf8Files.Text readUtf8Text(Path file, Problems problems) {
        return Utf8Files.readText(file, maxCodePoints, problems);
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
        return yaml.read(file, text, problems, lineOffset);
    }

    /**
     * Parses JSON text.
     *
     * @return the document, or null after reporting why it cannot be used
     */
    public ParsedDocument readJsonText(Path file, String text, Problems problems) {
        return json.read(file, text, problems);
    }
}
