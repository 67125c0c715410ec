package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.SignatureLayout;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Who signed a snapshot, as its {@code .warmstart/signature} entry says. Reading it proves nothing: only
 * {@link TrustPolicy#check(Snapshot)} verifies it.
 *
 * @param keyId the signer's key id: lower-case hex SHA-256 of its public key's X.509 SubjectPublicKeyInfo bytes
 *     (what {@code openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum} prints)
 * @param algorithm the signature algorithm, {@code Ed25519}
 */
public record SnapshotSignature(String keyId, String algorithm) {
    /**
     * Reads the signature entry of {@code snapshot}, without verifying it.
     *
     * @return the signer, or empty when the snapshot is unsigned
     * @throws BadSignatureException when the signature entry is malformed
     */
    public static Optional<SnapshotSignature> of(Snapshot snapshot) {
        Optional<ByteBuffer> entry = snapshot.findEntry(SignatureLayout.ENTRY);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new SnapshotSignature(decode(snapshot, entry.get()).keyIdHex(), SignatureLayout.JCA_ALGORITHM));
    }

    static SignatureLayout.Decoded decode(Snapshot snapshot, ByteBuffer entry) {
        try {
            return SignatureLayout.decode(entry);
        } catch (IllegalArgumentException e) {
            throw new BadSignatureException(
                    snapshot.source(),
                    null,
                    snapshot.source() + " has a malformed signature entry (" + e.getMessage()
                            + "); rebuild or re-download it");
        }
    }
}
