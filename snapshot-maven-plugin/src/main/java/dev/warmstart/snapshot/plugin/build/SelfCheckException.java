package dev.warmstart.snapshot.plugin.build;

/** The snapshot just written does not read back as it was written: a bug in the writer or the loader. */
public class SelfCheckException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what differs, naming the file */
    public SelfCheckException(String message) {
        super(message);
    }

    /**
     * @param message what differs, naming the file
     * @param cause the loader's report of it
     */
    public SelfCheckException(String message, Throwable cause) {
        super(message, cause);
    }
}
