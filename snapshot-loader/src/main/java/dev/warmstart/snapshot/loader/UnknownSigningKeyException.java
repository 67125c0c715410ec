package dev.warmstart.snapshot.loader;

/**
 * The snapshot is signed by a key the trust policy does not hold: trust that key's public key (key rotation), or
 * rebuild the snapshot with a trusted key.
 */
public class UnknownSigningKeyException extends UntrustedSnapshotException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file the snapshot file
     * @param keyId the unknown key's id
     * @param message what was refused and what to do
     */
    public UnknownSigningKeyException(String file, String keyId, String message) {
        super(file, keyId, message);
    }
}
