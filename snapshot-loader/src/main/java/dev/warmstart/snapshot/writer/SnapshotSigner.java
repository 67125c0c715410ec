package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.Pem;
import dev.warmstart.snapshot.format.SignatureLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;

/**
 * Signs snapshots with an Ed25519 private key (the JDK's own; no dependency), producing the
 * {@code .warmstart/signature} entry that {@link SignatureLayout} defines. Ed25519 is deterministic, so the
 * same snapshot and key give the same bytes every time.
 *
 * <p>The key is read from a PKCS#8 PEM file, as {@code openssl genpkey -algorithm ed25519} writes it, or from
 * PEM text (the environment variable {@link #ENV_VARIABLE}, the usual way a CI secret arrives). It is never
 * written to a message, a log, the metadata or the tar: {@link #toString()} shows the key id only.
 */
public final class SnapshotSigner {
    /** Environment variable a pipeline sets to the PEM text of the signing key. */
    public static final String ENV_VARIABLE = "WARMSTART_SIGNING_KEY";

    static final String HOW_TO_MAKE_ONE = "make an unencrypted Ed25519 key with"
            + " 'openssl genpkey -algorithm ed25519 -out signing-key.pem' (PKCS#8 PEM), keep it in the CI's secret"
            + " store, and give services its public key: 'openssl pkey -in signing-key.pem -pubout'";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final byte[] keyId;

    private SnapshotSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = SignatureLayout.keyId(publicKey);
    }

    /**
     * Reads the signing key from a PKCS#8 PEM file.
     *
     * @throws SigningKeyException when the file is missing or holds no usable Ed25519 private key
     */
    public static SnapshotSigner fromPemFile(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new SigningKeyException("signing key file " + file + " does not exist; " + HOW_TO_MAKE_ONE);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SigningKeyException("signing key file " + file + " is not a PEM text file; " + HOW_TO_MAKE_ONE);
        }
        return fromPem(text, "signing key file " + file);
    }

    /**
     * Finds the signing key a build is configured with: the file when one is given, else the PEM text of the
     * environment variable {@link #ENV_VARIABLE}, else none (the snapshot is written unsigned).
     *
     * @param keyFile the configured key file, or null
     * @param environment reads an environment variable ({@code System::getenv} in a build)
     * @return the signer, or empty when no key is configured
     * @throws SigningKeyException when the configured key is not a usable Ed25519 private key
     */
    public static java.util.Optional<SnapshotSigner> fromFileOrEnvironment(
            Path keyFile, java.util.function.UnaryOperator<String> environment) throws IOException {
        if (keyFile != null) {
            return java.util.Optional.of(fromPemFile(keyFile));
        }
        String pem = environment.apply(ENV_VARIABLE);
        if (pem == null || pem.isBlank()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(fromPem(pem, "environment variable " + ENV_VARIABLE));
    }

    /**
     * Reads the signing key from PEM text.
     *
     * @param origin where the text comes from, for messages (e.g. {@code "environment variable
     *     WARMSTART_SIGNING_KEY"})
     * @throws SigningKeyException when the text holds no usable Ed25519 private key
     */
    public static SnapshotSigner fromPem(String pem, String origin) {
        List<Pem.Block> blocks;
        try {
            blocks = Pem.parse(pem, origin);
        } catch (IllegalArgumentException e) {
            throw new SigningKeyException(e.getMessage() + "; " + HOW_TO_MAKE_ONE);
        }
        if (blocks.isEmpty()) {
            throw new SigningKeyException(origin + " holds no PEM key; " + HOW_TO_MAKE_ONE);
        }
        Pem.Block block = blocks.get(0);
        String type = block.type();
        if (type.startsWith("ENCRYPTED")) {
            throw new SigningKeyException(origin + " holds an encrypted private key, which a build cannot unlock; "
                    + HOW_TO_MAKE_ONE + " (protect it with the secret store, not a passphrase)");
        }
        if (type.contains("PUBLIC KEY") || type.equals("CERTIFICATE")) {
            throw new SigningKeyException(origin + " holds a " + type.toLowerCase(java.util.Locale.ROOT)
                    + ", not a private key: signing needs the private key; " + HOW_TO_MAKE_ONE);
        }
        if (!type.equals("PRIVATE KEY")) {
            throw new SigningKeyException(origin + " holds a '" + type + "' block, not an Ed25519 PKCS#8 private key"
                    + " (RSA, EC and OpenSSH keys are not accepted); " + HOW_TO_MAKE_ONE);
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(SignatureLayout.JCA_ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(block.der()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new SigningKeyException(origin + " holds a private key of type " + otherAlgorithm(block.der())
                    + ", not Ed25519; " + HOW_TO_MAKE_ONE);
        } finally {
            Arrays.fill(block.der(), (byte) 0);
        }
        return fromPrivateKey(key);
    }

    /**
     * Uses an Ed25519 private key that is already loaded.
     *
     * @throws SigningKeyException when it is not an Ed25519 key
     */
    public static SnapshotSigner fromPrivateKey(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey edKey)
                || !NamedParameterSpec.ED25519
                        .getName()
                        .equalsIgnoreCase(edKey.getParams().getName())) {
            throw new SigningKeyException(
                    "the signing key is a " + key.getAlgorithm() + " key, not Ed25519; " + HOW_TO_MAKE_ONE);
        }
        byte[] seed = edKey.getBytes()
                .orElseThrow(() -> new SigningKeyException(
                        "the signing key does not expose its bytes (a hardware key?); " + HOW_TO_MAKE_ONE));
        return new SnapshotSigner(key, derivePublicKey(seed));
    }

    /** @return the public key that verifies this signer's signatures */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** @return the key id recorded in every signature: lower-case hex SHA-256 of the public key's X.509 bytes */
    public String keyId() {
        return ContentHash.hex(keyId);
    }

    /**
     * Signs a snapshot's content hash and metadata.
     *
     * @param contentHash the 32-byte content hash
     * @param metadata the metadata entry's bytes, exactly as they will be stored
     * @return the bytes of the {@code .warmstart/signature} entry
     */
    public byte[] signatureEntry(byte[] contentHash, byte[] metadata) {
        try {
            Signature ed = Signature.getInstance(SignatureLayout.JCA_ALGORITHM);
            ed.initSign(privateKey);
            ed.update(SignatureLayout.message(contentHash, metadata));
            return SignatureLayout.encode(keyId, ed.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "this JDK cannot make Ed25519 signatures: " + e.getClass().getName(), e);
        }
    }

    @Override
    public String toString() {
        return "SnapshotSigner[Ed25519, key id " + keyId() + "]";
    }

    /**
     * The JDK has no public API from an Ed25519 private key to its public key; its key pair generator computes
     * exactly that from the 32 random bytes it draws, so hand it the private key's bytes as its "randomness".
     */
    private static PublicKey derivePublicKey(byte[] seed) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(SignatureLayout.JCA_ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                private static final long serialVersionUID = 1L;

                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            KeyPair pair = generator.generateKeyPair();
            byte[] check = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
            if (!Arrays.equals(check, seed)) {
                throw new IllegalStateException("this JDK's Ed25519 key pair generator cannot derive a public key");
            }
            return pair.getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "this JDK has no Ed25519: " + e.getClass().getName(), e);
        }
    }

    /** Names the algorithm of a PKCS#8 key that is not Ed25519, for the error message. */
    private static String otherAlgorithm(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed448", "DSA", "X25519")) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return algorithm;
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this one either
            }
        }
        return "malformed or unknown";
    }
}
