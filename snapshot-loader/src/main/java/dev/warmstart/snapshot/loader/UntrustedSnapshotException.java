package dev.warmstart.snapshot.loader;

import java.util.Optional;

/**
 * A trust policy refused a snapshot: it is unsigned ({@link UnsignedSnapshotException}), signed by a key the
 * policy does not trust ({@link UnknownSigningKeyException}), or its signature does not match its content
 * ({@link BadSignatureException}). The message names the file and the key id; a refused snapshot is never
 * served.
 */
public class UntrustedSnapshotException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String keyId;

    /**
     * @param file the snapshot file, as the loader names it
     * @param keyId the signer's key id (lower-case hex), or null when there is none
     * @param message what was refused and what to do, naming the file and the key id
     */
    public UntrustedSnapshotException(String file, String keyId, String message) {
        super(message);
        this.file = file;
        this.keyId = keyId;
    }

    /** @return the refused snapshot file */
    public String file() {
        return file;
    }

    /** @return the key id the snapshot names, when it is signed */
    public Optional<String> keyId() {
        return Optional.ofNullable(keyId);
    }
}
