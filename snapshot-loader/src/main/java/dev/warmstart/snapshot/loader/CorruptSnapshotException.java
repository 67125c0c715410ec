package dev.warmstart.snapshot.loader;

/**
 * The snapshot's bytes are not what its writer produced: truncated, damaged index, bad magic, a checksum or
 * SHA-256 mismatch. A corrupt snapshot is refused whole; rebuild or re-download it.
 */
public class CorruptSnapshotException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    /** @param message what is damaged and where, naming the file */
    public CorruptSnapshotException(String message) {
        super(message);
    }

    /**
     * @param message what is damaged and where, naming the file
     * @param cause the underlying failure
     */
    public CorruptSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
