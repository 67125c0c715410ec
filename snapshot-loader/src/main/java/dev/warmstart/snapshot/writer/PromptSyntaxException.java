package dev.warmstart.snapshot.writer;

/** A prompt template that cannot be compiled, with the 1-based line and column of the problem in its text. */
public class PromptSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;

    /**
     * @param message what is wrong and what to do
     * @param line 1-based line in the template text
     * @param column 1-based column in that line
     */
    public PromptSyntaxException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** @return the 1-based line of the problem in the template text */
    public int line() {
        return line;
    }

    /** @return the 1-based column of the problem */
    public int column() {
        return column;
    }
}
