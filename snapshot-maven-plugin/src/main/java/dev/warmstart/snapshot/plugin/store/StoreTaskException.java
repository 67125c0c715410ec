package dev.warmstart.snapshot.plugin.store;

/** A store operation was refused; the message says why and what to do. */
public class StoreTaskException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message why, and what to do
     */
    public StoreTaskException(String message) {
        super(message);
    }

    /**
     * @param message why, and what to do
     * @param cause the underlying refusal
     */
    public StoreTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
