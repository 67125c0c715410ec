package dev.warmstart.snapshot.loader;

/**
 * Base of every error the loader reports about a snapshot's content: corruption, an unsupported format
 * version, a missing entry, config key or prompt variable. Unchecked, so that lookups on a hot path need no
 * try/catch; I/O failures while opening are reported as {@link java.io.IOException} instead.
 *
 * <p>Messages name the snapshot file and say what to do.
 */
public class SnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the file and what to do */
    public SnapshotException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the file and what to do
     * @param cause the underlying failure
     */
    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
