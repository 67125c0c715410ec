package dev.warmstart.snapshot.loader;

/** A trust policy is in force and the snapshot carries no signature: sign it, or open it without a policy. */
public class UnsignedSnapshotException extends UntrustedSnapshotException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file the snapshot file
     * @param message what was refused and what to do
     */
    public UnsignedSnapshotException(String file, String message) {
        super(file, null, message);
    }
}
