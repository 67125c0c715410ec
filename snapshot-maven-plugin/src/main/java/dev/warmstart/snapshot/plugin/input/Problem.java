package dev.warmstart.snapshot.plugin.input;

import java.nio.file.Path;

/**
 * One thing wrong with the build's inputs.
 *
 * @param severity whether it fails the build
 * @param file the input file, or null when the problem is not about one file
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param message what is wrong and what to do
 */
public record Problem(Severity severity, Path file, int line, int column, String message) {

    /** Whether a problem fails the build. */
    public enum Severity {
        /** Fails the build. */
        ERROR,
        /** Reported; the build goes on. */
        WARNING
    }

    /** @return {@code file:line:column: message}, leaving out what is unknown */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
            if (line > 0) {
                sb.append(':').append(line);
                if (column > 0) {
                    sb.append(':').append(column);
                }
            }
            sb.append(": ");
        }
        return sb.append(message).toString();
    }
}
