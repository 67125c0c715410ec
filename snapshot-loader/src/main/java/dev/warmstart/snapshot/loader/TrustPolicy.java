package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.Pem;
import dev.warmstart.snapshot.format.SignatureLayout;
import dev.warmstart.snapshot.format.SnapshotFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The public keys whose snapshots a service accepts. With a policy, {@link Snapshot#open(Path, TrustPolicy,
 * SnapshotOption...)}, the {@code SnapshotManager} and the store refuse a snapshot that is unsigned, signed by a
 * key not in the policy, or whose signature does not match its content hash and metadata. Several keys may be
 * trusted at once, so a signing key can be rotated without a gap (see {@code docs/security.md}).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * TrustPolicy trust = TrustPolicy.fromPemFiles(List.of(Path.of("/etc/warmstart/release.pub.pem")));
 * try (Snapshot snapshot = Snapshot.open(file, trust)) { ... }
 * }</pre>
 */
public final class TrustPolicy {
    private final Map<String, PublicKey> keys;

    private TrustPolicy(Map<String, PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a trust policy needs at least one public key");
        }
        this.keys = Collections.unmodifiableMap(keys);
    }

    /**
     * A policy trusting exactly these Ed25519 public keys.
     *
     * @throws IllegalArgumentException when there is none, or one is not an Ed25519 key
     */
    public static TrustPolicy of(Collection<? extends PublicKey> publicKeys) {
        Map<String, PublicKey> keys = new TreeMap<>();
        for (PublicKey key : publicKeys) {
            if (!SignatureLayout.JCA_ALGORITHM.equalsIgnoreCase(key.getAlgorithm())
                    && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
                throw new IllegalArgumentException("a trusted key must be Ed25519, not " + key.getAlgorithm());
            }
            keys.put(ContentHash.hex(SignatureLayout.keyId(key)), key);
        }
        return new TrustPolicy(keys);
    }

    /**
     * A policy trusting every public key in these PEM files ({@code -----BEGIN PUBLIC KEY-----}, X.509
     * SubjectPublicKeyInfo, what {@code openssl pkey -in key.pem -pubout} writes; a file may hold several).
     *
     * @throws IOException when a file cannot be read
     * @throws IllegalArgumentException naming the file when it holds no Ed25519 public key or another kind of key
     */
    public static TrustPolicy fromPemFiles(Collection<Path> files) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path file : files) {
            keys.addAll(publicKeys(Files.readString(file, StandardCharsets.ISO_8859_1), "trusted key file " + file));
        }
        return of(keys);
    }

    /**
     * Reads the public keys of PEM text.
     *
     * @param origin what the text is, for messages
     * @throws IllegalArgumentException when the text holds no Ed25519 public key, or another kind of key
     */
    public static List<PublicKey> publicKeys(String pem, String origin) {
        List<PublicKey> keys = new ArrayList<>();
        for (Pem.Block block : Pem.parse(pem, origin)) {
            if (block.type().contains("PRIVATE KEY")) {
                throw new IllegalArgumentException(origin + " holds a private key: a service needs only the public"
                        + " key ('openssl pkey -in signing-key.pem -pubout -out signing-key.pub.pem'); keep the"
                        + " private key in the pipeline's secret store");
            }
            if (!block.type().equals("PUBLIC KEY")) {
                throw new IllegalArgumentException(origin + " holds a '" + block.type() + "' block, not a PUBLIC KEY"
                        + " ('openssl pkey -in signing-key.pem -pubout' writes one)");
            }
            try {
                keys.add(KeyFactory.getInstance(SignatureLayout.JCA_ALGORITHM)
                        .generatePublic(new X509EncodedKeySpec(block.der())));
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException(origin + " holds a public key that is not Ed25519; snapshots are"
                        + " signed with Ed25519 keys ('openssl genpkey -algorithm ed25519')");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    origin + " holds no PEM public key ('openssl pkey -in signing-key.pem -pubout' writes one)");
        }
        return keys;
    }

    /** @return the ids of the trusted keys, sorted */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    /** @return the trusted key with this id */
    public Optional<PublicKey> key(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /**
     * Checks that {@code snapshot} is signed by a trusted key and that the signature matches its content hash,
     * the index entries behind it and its metadata. The entries' data is checked against the index by
     * {@link Snapshot#verify()} (or on first access with {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS}): together
     * they prove every byte served comes from the key's holder.
     *
     * @return the verified signature
     * @throws UnsignedSnapshotException when the snapshot is not signed
     * @throws UnknownSigningKeyException when its key is not trusted
     * @throws BadSignatureException when the signature does not match
     */
    public SnapshotSignature check(Snapshot snapshot) {
        String file = snapshot.source();
        Optional<ByteBuffer> entry = snapshot.findEntry(SignatureLayout.ENTRY);
        if (entry.isEmpty()) {
            throw new UnsignedSnapshotException(
                    file,
                    file + " is not signed, and this service trusts only snapshots signed by key " + describeKeys()
                            + "; build it with a signing key (snapshot.signingKey or " + "WARMSTART_SIGNING_KEY)"
                            + " or sign it with 'snapshot-loader sign'");
        }
        SignatureLayout.Decoded signature = SnapshotSignature.decode(snapshot, entry.get());
        String keyId = signature.keyIdHex();
        PublicKey key = keys.get(keyId);
        if (key == null) {
            throw new UnknownSigningKeyException(
                    file,
                    keyId,
                    file + " is signed by key " + keyId + ", which this service does not trust (trusted: "
                            + describeKeys() + "); add that key's public key to the trust policy if it is yours, or"
                            + " rebuild the snapshot with a trusted key");
        }
        byte[] contentHash = snapshot.index().contentHashBytes();
        if (!Arrays.equals(indexContentHash(snapshot), contentHash)) {
            throw bad(file, keyId, "its index does not match its content hash");
        }
        int metadataIndex = snapshot.index().find(SnapshotFormat.METADATA_ENTRY.getBytes(StandardCharsets.UTF_8));
        if (metadataIndex < 0) {
            throw bad(file, keyId, "it has no metadata entry");
        }
        ByteBuffer metadataEntry = snapshot.data(metadataIndex);
        byte[] metadata = new byte[metadataEntry.remaining()];
        metadataEntry.duplicate().get(metadata);
        boolean valid;
        try {
            Signature ed = Signature.getInstance(SignatureLayout.JCA_ALGORITHM);
            ed.initVerify(key);
            ed.update(SignatureLayout.message(contentHash, metadata));
            valid = ed.verify(signature.signature());
        } catch (java.security.SignatureException e) {
            valid = false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot verify Ed25519 signatures", e);
        }
        if (!valid) {
            throw bad(file, keyId, "its signature does not match its content hash and metadata");
        }
        // The signed metadata must describe this index: same id (creation time and content hash).
        snapshot.checkSha(metadataIndex, metadataEntry);
        SnapshotMetadata parsed = snapshot.metadata();
        if (!parsed.id().equals(snapshot.id()) || !parsed.contentHash().equals(snapshot.contentHash())) {
            throw bad(file, keyId, "its signed metadata describes snapshot " + parsed.id() + ", not " + snapshot.id());
        }
        return new SnapshotSignature(keyId, SignatureLayout.JCA_ALGORITHM);
    }

    @Override
    public String toString() {
        return "TrustPolicy[" + describeKeys() + "]";
    }

    private String describeKeys() {
        return String.join(", ", keys.keySet());
    }

    private static BadSignatureException bad(String file, String keyId, String why) {
        return new BadSignatureException(
                file,
                keyId,
                file + " is signed by key " + keyId + " but " + why + ": it was changed after signing, or damaged;"
                        + " do not serve it: rebuild or re-download it");
    }

    /** The content hash the index's records add up to (cheap: one pass over the records, no data read). */
    private static byte[] indexContentHash(Snapshot snapshot) {
        ContentHash hash = new ContentHash();
        for (int i = 0; i < snapshot.entryCount(); i++) {
            byte[] name = snapshot.index().nameBytes(i);
            if (ContentHash.isContentEntry(name)) {
                hash.add(name, snapshot.index().sha256(i));
            }
        }
        return hash.finish();
    }
}
