package dev.warmstart.snapshot.plugin.input;

import java.nio.file.Path;
import java.util.Map;

/**
 * A parsed YAML or JSON file as a plain Java tree — {@code LinkedHashMap<String,Object>}, {@code ArrayList},
 * {@code String}, {@code Long}, {@code BigInteger}, {@code Double}, {@code BigDecimal}, {@code Boolean}, null —
 * with the line and column of every value, keyed by its {@code ConfigPath} path relative to the root.
 */
public final class ParsedDocument {
    private final Path file;
    private final Object root;
    private final Map<String, int[]> locations;
    private final int lineOffset;

    ParsedDocument(Path file, Object root, Map<String, int[]> locations, int lineOffset) {
        this.file = file;
        this.root = root;
        this.locations = locations;
        this.lineOffset = lineOffset;
    }

    /** @return the file it was read from */
    public Path file() {
        return file;
    }

    /** @return the tree */
    public Object root() {
        return root;
    }

    /** @return 1-based line of the value at {@code path} ("" for the root), 0 when unknown */
    public int line(String path) {
        int[] lc = locations.get(path);
        return lc == null ? 0 : lc[0] + lineOffset;
    }

    /** @return 1-based column of the value at {@code path}, 0 when unknown */
    public int column(String path) {
        int[] lc = locations.get(path);
        return lc == null ? 0 : lc[1];
    }

    /**
     * @return whether the value at {@code path} is a block scalar ({@code |} or {@code >}), whose text starts on
     *     the line after its location
     */
    public boolean isBlockScalar(String path) {
        int[] lc = locations.get(path);
        return lc != null && lc.length > 2 && lc[2] == 1;
    }

    /**
     * @return how the YAML scalar at {@code path} is written: {@code '|'} literal, {@code '>'} folded, {@code '"'}
     *     or {@code '\''} quoted, {@code 'p'} plain; 0 when unknown (JSON, or not a scalar)
     */
    public char scalarStyle(String path) {
        int[] lc = locations.get(path);
        return lc != null && lc.length > 3 ? (char) lc[3] : 0;
    }
}
