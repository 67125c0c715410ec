package dev.warmstart.snapshot.plugin.dify;

import java.util.Locale;

/**
 * What the build does with an export whose DSL version Dify itself would only import after the user confirms it
 * (Dify's importer answers such an import with status <em>pending</em>): a version newer than the newest this
 * plugin knows, or one of another major version.
 */
public enum DifyVersionPolicy {
    /** Refuse such an export, naming the parameter that accepts it: the build never guesses silently. */
    STRICT,
    /**
     * Accept it, the build's equivalent of Dify's confirm step: the export is read as the newest known version,
     * with a warning for the version and one for each field the plugin does not know that looks like a prompt.
     */
    WARN;

    /** The Maven parameter that sets the policy. */
    public static final String PARAMETER = "difyVersionPolicy";
    /** The user property that sets the policy. */
    public static final String PROPERTY = "snapshot.difyVersionPolicy";

    /**
     * @param text {@code strict} or {@code warn}, any case; null or blank means {@link #STRICT}
     * @return the policy
     * @throws IllegalArgumentException naming the allowed values
     */
    public static DifyVersionPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            return STRICT;
        }
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    PARAMETER + " '" + text + "' is not one of strict, warn (" + PROPERTY + ")", e);
        }
    }
}
