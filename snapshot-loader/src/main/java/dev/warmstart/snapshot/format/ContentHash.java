package dev.warmstart.snapshot.format;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one definition of a snapshot's content hash: SHA-256 over, for each content entry (every entry whose
 * name is not under {@link SnapshotFormat#RESERVED_PREFIX}) in index order (names sorted by unsigned UTF-8
 * bytes), its name length as a 4-byte big-endian integer, its UTF-8 name, and the 32-byte SHA-256 of its
 * data. Times, owners and the metadata entry are left out, so identical content gives an identical hash.
 */
public final class ContentHash {
    private final MessageDigest digest = sha256();
    private final ByteBuffer lengthBytes = ByteBuffer.allocate(4);

    /** Adds the next content entry, in index order. */
    public void add(byte[] utf8Name, byte[] dataSha256) {
        lengthBytes.clear();
        lengthBytes.putInt(utf8Name.length);
        digest.update(lengthBytes.array());
        digest.update(utf8Name);
        digest.update(dataSha256);
    }

    /** @return the 32-byte hash of every entry added */
    public byte[] finish() {
        return digest.digest();
    }

    /** @return whether an entry of this name counts for the content hash */
    public static boolean isContentEntry(byte[] utf8Name) {
        byte[] reserved = SnapshotFormat.RESERVED_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (utf8Name.length < reserved.length) {
            return true;
        }
        for (int i = 0; i < reserved.length; i++) {
            if (utf8Name[i] != reserved[i]) {
                return true;
            }
        }
        return false;
    }

    /** @return a new SHA-256 digest (every JDK has one) */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** @return lower-case hex of {@code bytes} */
    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    /**
     * The snapshot id: {@code yyyyMMdd'T'HHmmss'Z'} of the creation time, a dash, and the first 12 hex
     * digits of the content hash.
     */
    public static String snapshotId(long createdEpochSeconds, byte[] contentHash) {
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        return f.format(java.time.Instant.ofEpochSecond(createdEpochSeconds)) + "-"
                + hex(contentHash).substring(0, 12);
    }
}
