package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link SnapshotManager} talks to a store at an {@code http://} or {@code https://} URL.
 *
 * @param credentials sent with every request (default: from the environment, see {@link StoreCredentials})
 * @param caFile a PEM file of extra trusted CA certificates, added to the JDK's trust store (null: none;
 *     environment {@code WARMSTART_STORE_CA_FILE})
 * @param connectTimeout the longest wait for a connection (default 5 s)
 * @param requestTimeout the longest wait for a response's headers, and for the next bytes of its body: a server
 *     that stalls longer is given up on (default 10 s)
 * @param maxRegistryBytes the largest {@code registry.json} accepted (default 4 MiB)
 * @param maxBackoff the longest wait between two attempts after failures (default 5 min)
 * @param bootstrap a store directory baked into the image (e.g. by {@code store pull}) to start from when the
 *     server cannot be reached and the cache is empty (null: none; environment {@code WARMSTART_STORE_BOOTSTRAP})
 */
public record HttpStoreSettings(
        StoreCredentials credentials,
        Path caFile,
        Duration connectTimeout,
        Duration requestTimeout,
        long maxRegistryBytes,
        Duration maxBackoff,
        Path bootstrap) {

    /** Checks the values. */
    public HttpStoreSettings {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxRegistryBytes <= 0) {
            throw new IllegalArgumentException("maxRegistryBytes must be positive: " + maxRegistryBytes);
        }
    }

    /** @return no credentials, no extra CA, the default timeouts and limits */
    public static HttpStoreSettings defaults() {
        return new HttpStoreSettings(
                StoreCredentials.NONE,
                null,
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                4L << 20,
                Duration.ofMinutes(5),
                null);
    }

    /**
     * @return the defaults with credentials and CA file from {@code env} (pass {@code System.getenv()})
     * @throws IOException when a credentials file named there cannot be read
     */
    public static HttpStoreSettings fromEnvironment(Map<String, String> env) throws IOException {
        String ca = env.get("WARMSTART_STORE_CA_FILE");
        String bootstrap = env.get("WARMSTART_STORE_BOOTSTRAP");
        return defaults()
                .withCredentials(StoreCredentials.fromEnvironment(env))
                .withCaFile(ca == null || ca.isEmpty() ? null : Path.of(ca))
                .withBootstrap(bootstrap == null || bootstrap.isEmpty() ? null : Path.of(bootstrap));
    }

    /** @return these settings with other credentials */
    public HttpStoreSettings withCredentials(StoreCredentials c) {
        return new HttpStoreSettings(
                c, caFile, connectTimeout, requestTimeout, maxRegistryBytes, maxBackoff, bootstrap);
    }

    /** @return these settings with an extra CA file (null: none) */
    public HttpStoreSettings withCaFile(Path file) {
        return new HttpStoreSettings(
                credentials, file, connectTimeout, requestTimeout, maxRegistryBytes, maxBackoff, bootstrap);
    }

    /** @return these settings with another request timeout */
    public HttpStoreSettings withRequestTimeout(Duration d) {
        return new HttpStoreSettings(credentials, caFile, connectTimeout, d, maxRegistryBytes, maxBackoff, bootstrap);
    }

    /** @return these settings with another registry size limit */
    public HttpStoreSettings withMaxRegistryBytes(long bytes) {
        return new HttpStoreSettings(credentials, caFile, connectTimeout, requestTimeout, bytes, maxBackoff, bootstrap);
    }

    /** @return these settings with another longest backoff */
    public HttpStoreSettings withMaxBackoff(Duration d) {
        return new HttpStoreSettings(
                credentials, caFile, connectTimeout, requestTimeout, maxRegistryBytes, d, bootstrap);
    }

    /** @return these settings with a bootstrap store directory (null: none) */
    public HttpStoreSettings withBootstrap(Path storeDirectory) {
        return new HttpStoreSettings(
                credentials, caFile, connectTimeout, requestTimeout, maxRegistryBytes, maxBackoff, storeDirectory);
    }
}
