package dev.warmstart.snapshot.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * The one definition of a snapshot's signature (see {@code docs/format.md}, section "Signature"): which entry
 * holds it, its bytes, and exactly what is signed. The signer ({@code SnapshotSigner}) and the loader's trust
 * policy both use it.
 *
 * <pre>
 * entry ".warmstart/signature" (kind 6), 112 bytes, big-endian:
 *   0   8  magic "WSSIGN01"
 *   8   4  algorithm (1 = Ed25519)
 *  12   4  reserved (0)
 *  16  32  key id: SHA-256 of the signer's public key, X.509 SubjectPublicKeyInfo DER
 *  48  64  Ed25519 signature of the message below
 *
 * signed message := "warmstart-snapshot-signature-v1" 0x00
 *                   content hash (32 bytes, as in the index)
 *                   u32 metadata length | the metadata entry's bytes, exactly as stored
 * </pre>
 *
 * <p>The content hash binds every content entry's name and data; the metadata binds id, creation time and
 * provenance. The entry's name is under {@link SnapshotFormat#RESERVED_PREFIX}, so it is not content: signing a
 * snapshot changes neither its content hash nor its id, and a reader that does not know this entry ignores it.
 */
public final class SignatureLayout {
    private SignatureLayout() {}

    /** Name of the signature entry. */
    public static final String ENTRY = ".warmstart/signature";
    /** Entry kind of the signature. */
    public static final int KIND_SIGNATURE = 6;
    /** Magic at the start of the signature entry. */
    public static final byte[] MAGIC = {'W', 'S', 'S', 'I', 'G', 'N', '0', '1'};
    /** Algorithm code of Ed25519, the only one defined. */
    public static final int ALGORITHM_ED25519 = 1;
    /** JCA name of the algorithm. */
    public static final String JCA_ALGORITHM = "Ed25519";
    /** Length of a key id (a SHA-256). */
    public static final int KEY_ID_LENGTH = 32;
    /** Length of an Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 64;
    /** Length of the whole signature entry. */
    public static final int LENGTH = 16 + KEY_ID_LENGTH + SIGNATURE_LENGTH;

    private static final byte[] DOMAIN = "warmstart-snapshot-signature-v1\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * The bytes that are signed.
     *
     * @param contentHash the 32-byte content hash
     * @param metadata the metadata entry's bytes, exactly as stored
     */
    public static byte[] message(byte[] contentHash, byte[] metadata) {
        if (contentHash.length != 32) {
            throw new IllegalArgumentException("a content hash is 32 bytes");
        }
        return ByteBuffer.allocate(DOMAIN.length + 32 + 4 + metadata.length)
                .put(DOMAIN)
                .put(contentHash)
                .putInt(metadata.length)
                .put(metadata)
                .array();
    }

    /** @return the key id of {@code key}: SHA-256 of its X.509 SubjectPublicKeyInfo encoding */
    public static byte[] keyId(PublicKey key) {
        return ContentHash.sha256().digest(key.getEncoded());
    }

    /** @return the signature entry's bytes */
    public static byte[] encode(byte[] keyId, byte[] signature) {
        if (keyId.length != KEY_ID_LENGTH || signature.length != SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("a key id is 32 bytes and an Ed25519 signature 64");
        }
        return ByteBuffer.allocate(LENGTH)
                .put(MAGIC)
                .putInt(ALGORITHM_ED25519)
                .putInt(0)
                .put(keyId)
                .put(signature)
                .array();
    }

    /**
     * Reads a signature entry.
     *
     * @throws IllegalArgumentException saying what is malformed
     */
    public static Decoded decode(ByteBuffer entry) {
        if (entry.remaining() != LENGTH) {
            throw new IllegalArgumentException("it is " + entry.remaining() + " bytes, not " + LENGTH);
        }
        ByteBuffer b = entry.duplicate();
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("its magic is not WSSIGN01");
        }
        int algorithm = b.getInt();
        if (algorithm != ALGORITHM_ED25519) {
            throw new IllegalArgumentException("its algorithm " + algorithm + " is unknown (1 is Ed25519)");
        }
        b.getInt();
        byte[] keyId = new byte[KEY_ID_LENGTH];
        b.get(keyId);
        byte[] signature = new byte[SIGNATURE_LENGTH];
        b.get(signature);
        return new Decoded(keyId, signature);
    }

    /**
     * A decoded signature entry.
     *
     * @param keyId the signer's key id
     * @param signature the Ed25519 signature
     */
    public record Decoded(byte[] keyId, byte[] signature) {
        /** @return the key id as lower-case hex */
        public String keyIdHex() {
            return ContentHash.hex(keyId);
        }
    }
}
