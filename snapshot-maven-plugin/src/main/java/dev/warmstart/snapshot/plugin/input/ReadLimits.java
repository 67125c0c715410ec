package dev.warmstart.snapshot.plugin.input;

import java.nio.file.Path;

/** The limits shared by the YAML and JSON readers, so hostile or absurd input is refused the same way in both. */
final class ReadLimits {
    /** Most values a document may expand to (aliases can multiply a small file). */
    static final int MAX_VALUES = 2_000_000;

    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 200;
    /** Most repeated keys a Dify export may hold (real ones hold a few; each costs a scan of the locations). */
    static final int MAX_DUPLICATE_KEYS = 1000;

    private ReadLimits() {}

    /**
     * @param format "YAML" or "JSON", for the message
     * @return false after reporting a text longer than {@code maxCodePoints}
     */
    static boolean withinSize(Path file, String text, int maxCodePoints, String format, Problems problems) {
        if (text.codePointCount(0, text.length()) > maxCodePoints) {
            problems.error(
                    file,
                    0,
                    0,
                    format + " input is larger than " + maxCodePoints
                            + " code points; split it or raise <maxInputCodePoints>");
            return false;
        }
        return true;
    }

    /** @return a parser's message on one line, for a problem report */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
