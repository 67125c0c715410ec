package dev.warmstart.snapshot.loader;

/** The snapshot was written in a format major version newer than this loader reads. */
public class UnsupportedFormatVersionException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file, the snapshot's version and the newest version this loader reads */
    public UnsupportedFormatVersionException(String message) {
        super(message);
    }
}
