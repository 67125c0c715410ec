package dev.warmstart.snapshot.writer;

/**
 * A signing key cannot be used: missing, not PEM, encrypted, or not Ed25519. The message names where the key
 * came from (a file, an environment variable) and says what key to make; it never contains the key itself.
 */
public class SigningKeyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the key and what to do, without the key material */
    public SigningKeyException(String message) {
        super(message);
    }
}
