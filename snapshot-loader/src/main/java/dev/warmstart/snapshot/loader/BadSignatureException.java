package dev.warmstart.snapshot.loader;

/**
 * The snapshot names a trusted key but its signature does not verify: its content, metadata or signature were
 * changed after signing (or damaged). Rebuild or re-download it.
 */
public class BadSignatureException extends UntrustedSnapshotException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file the snapshot file
     * @param keyId the key id the snapshot names, or null when even that is unreadable
     * @param message what was refused and what to do
     */
    public BadSignatureException(String file, String keyId, String message) {
        super(file, keyId, message);
    }
}
