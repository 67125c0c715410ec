package dev.warmstart.snapshot.plugin.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a store goal works: a store directory, or a remote store at an {@code http://} or {@code https://} base
 * URL (docs/distribution.md). A relative directory is resolved against the directory Maven runs in.
 *
 * @param directory the store directory, or null for a remote store
 * @param url the store's base URL (ending in {@code /}), or null for a directory
 */
public record StoreLocation(Path directory, URI url) {

    /**
     * @param value {@code snapshot.store}: a directory or an http(s) URL
     * @param basedir what a relative directory is relative to
     * @throws StoreTaskException when the value is empty, or a URL that is not http(s) or carries credentials
     */
    public static StoreLocation parse(String value, Path basedir) throws StoreTaskException {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty()) {
            throw new StoreTaskException(
                    "say which store to use with -Dsnapshot.store=DIR or -Dsnapshot.store=https://HOST/PATH/");
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            if (lower.matches("[a-z][a-z0-9+.-]+://.*")) {
                throw new StoreTaskException("snapshot.store " + v + " is neither a directory nor an http(s) URL;"
                        + " remote stores are served over HTTP(S) (docs/distribution.md)");
            }
            Path p = Path.of(v);
            return new StoreLocation(p.isAbsolute() ? p : basedir.resolve(p).normalize(), null);
        }
        URI uri;
        try {
            uri = new URI(v.endsWith("/") ? v : v + "/");
        } catch (URISyntaxException e) {
            throw new StoreTaskException("snapshot.store " + v + " is not a URL: " + e.getReason());
        }
        if (uri.getHost() == null) {
            throw new StoreTaskException("snapshot.store " + v + " names no host");
        }
        if (uri.getRawUserInfo() != null) {
            // a password in the URL would end up in build logs and shell history
            throw new StoreTaskException("snapshot.store must not carry credentials in the URL; put them in a"
                    + " settings.xml <server> and name it with -Dsnapshot.serverId=ID, or in WARMSTART_STORE_TOKEN"
                    + " (or WARMSTART_STORE_USER and WARMSTART_STORE_PASSWORD, or WARMSTART_STORE_CREDENTIALS)");
        }
        return new StoreLocation(null, uri);
    }

    /** @return whether this is a remote store */
    public boolean remote() {
        return url != null;
    }

    @Override
    public String toString() {
        return remote() ? url.toString() : directory.toString();
    }
}
