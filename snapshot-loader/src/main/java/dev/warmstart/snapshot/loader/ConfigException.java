package dev.warmstart.snapshot.loader;

/**
 * A config lookup failed: the key is absent, its value has another type than asked for, or an
 * {@code ${env:NAME}} / {@code ${sys:NAME}} placeholder names a variable that is not set and has no default.
 */
public class ConfigException extends SnapshotException {
    private static final long serialVersionUID = 1L;

    /** @param message names the key, the snapshot file and what to do */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * @param message names the key, the snapshot file and what to do
     * @param cause the underlying failure, such as a number that does not parse
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
