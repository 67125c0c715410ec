package dev.warmstart.snapshot.loader;

/** A prompt was rendered without a value for one of its variables. */
public class MissingVariableException extends SnapshotException {
    private static final long serialVersionUID = 1L;
    private final String variable;

    /**
     * @param message names the prompt, the snapshot file and the variable
     * @param variable the name of the variable that had no value
     */
    public MissingVariableException(String message, String variable) {
        super(message);
        this.variable = variable;
    }

    /** @return the name of the variable that had no value */
    public String variable() {
        return variable;
    }
}
