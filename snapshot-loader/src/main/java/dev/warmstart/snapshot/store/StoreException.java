package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.loader.SnapshotException;

/** A store operation was refused: a malformed registry, or a snapshot that fails verification. */
public class StoreException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was refused and what to do
     * @param cause the underlying failure
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
