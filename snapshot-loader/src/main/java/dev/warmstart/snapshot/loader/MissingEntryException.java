package dev.warmstart.snapshot.loader;

/** A named entry or prompt is not in the snapshot. */
public class MissingEntryException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file and the missing entry */
    public MissingEntryException(String message) {
        super(message);
    }
}
