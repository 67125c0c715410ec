package dev.warmstart.snapshot.plugin.input;

/**
 * Finds where a position in a prompt's text stands in the YAML or JSON file the prompt is written in, so that an
 * error points at the file's own line and column. Only a position it can prove is returned: the file's text there
 * must read as the prompt's text at the position asked for. Escapes, folded lines and multi-line flow scalars
 * change the text between the two, and are left unmapped rather than guessed.
 */
final class PromptPositions {
    /** How many characters of the prompt must match the file at the answer. */
    private static final int PROBE = 12;

    private static final String LINE_END = "\r\n|\r|\n";

    private PromptPositions() {}

    /**
     * @param fileText the whole file, as read
     * @param valueLine 1-based line where the prompt's value starts: a block scalar's indicator, a quote, or its
     *     first character
     * @param valueColumn 1-based column there
     * @param style the value's {@link ParsedDocument#scalarStyle}
     * @param template the prompt's text
     * @param line 1-based line in the prompt's text
     * @param column 1-based column in that line
     * @return {line, column} in the file, 1-based, or null when the position cannot be placed exactly
     */
    static int[] inFile(
            String fileText, int valueLine, int valueColumn, char style, String template, int line, int column) {
        String[] templateLines = template.split(LINE_END, -1);
        if (valueLine < 1 || line < 1 || line > templateLines.length) {
            return null;
        }
        String templateLine = templateLines[line - 1];
        if (column < 1 || column > templateLine.length()) {
            return null;
        }
        String probe = templateLine.substring(column - 1, Math.min(templateLine.length(), column - 1 + PROBE));
        String[] fileLines = fileText.split(LINE_END, -1);
        int[] candidate;
        if (style == '|') {
            // A literal block keeps its lines: line n of the text is line n after the indicator, indented.
            candidate = new int[] {valueLine + line, indentation(fileLines, valueLine) + column};
        } else if (style == '>' && line == 1) {
            // A folded block's first line starts as its first content line; later ones are joined lines.
            candidate = new int[] {valueLine + 1, indentation(fileLines, valueLine) + column};
        } else if (line == 1 && style != '>' && valueColumn > 0) {
            int quote = style == '"' || style == '\'' || style == 0 ? 1 : 0; // style 0: a JSON string
            candidate = new int[] {valueLine, valueColumn + quote + column - 1};
        } else {
            return null;
        }
        if (candidate[0] > fileLines.length) {
            return null;
        }
        return fileLines[candidate[0] - 1].startsWith(probe, candidate[1] - 1) ? candidate : null;
    }

    /** @return a block scalar's indentation: that of its first content line that is not blank */
    private static int indentation(String[] fileLines, int indicatorLine) {
        // fileLines[indicatorLine] is the line after the indicator's.
        for (int i = indicatorLine; i < fileLines.length; i++) {
            String l = fileLines[i];
            if (!l.isBlank()) {
                int n = 0;
                while (n < l.length() && l.charAt(n) == ' ') {
                    n++;
                }
                return n;
            }
        }
        return 0;
    }
}
