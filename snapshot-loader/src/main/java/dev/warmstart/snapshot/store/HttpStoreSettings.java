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
 * @param rollbackWriter credentials that may write the store, given to a replica so that its automatic rollbacks
 *     are recorded in the shared registry (null: the replica only reads, and its guard takes a failing snapshot out
 *     of its own service only; environment {@code WARMSTART_STORE_ROLLBACK_CREDENTIALS}, a properties file as for
 *     {@link StoreCredentials#fromFile}). See docs/distribution.md section 4.
 */
public record HttpStoreSettings(
        StoreCredentials credentials,
        Path caFile,
        Duration connectTimeout,
        Duration requestTimeout,
        long maxRegistryBytes,
        Duration maxBackoff,
        Path bootstrap,
        StoreCredentials rollbackWriter) {

    /** Settings for a read-only replica (the form before replicas could record rollbacks). */
    public HttpStoreSettings(
            StoreCredentials credentials,
            Path caFile,
            Duration connectTimeout,
            Duration requestTimeout,
            long maxRegistryBytes,
            Duration maxBackoff,
            Path bootstrap) {
        this(credentials, caFile, connectTimeout, requestTimeout, maxRegistryBytes, maxBackoff, bootstrap, null);
    }

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
        String writer = env.get("WARMSTART_STORE_ROLLBACK_CREDENTIALS");
        return defaults()
                .withRollbackWriter(
                        writer == null || writer.isEmpty() ? null : StoreCredentials.fromFile(Path.of(writer)))
                .withCredentials(StoreCredentials.fromEnvironment(env))
                .withCaFile(ca == null || ca.isEmpty() ? null : Path.of(ca))
                .withBootstrap(bootstrap == null || bootstrap.isEmpty() ? null : Path.of(bootstrap));
    }

    /** @return these settings with other credentials */
    public HttpStoreSettings withCredentials(StoreCredentials c) {
        return new HttpStoreSettings(
                c, caFile, connectTimeout, requestTimeout, maxRegistryBytes, maxBackoff, bootstrap, rollbackWriter);
    }

    /** @return these settings with an extra CA file (null: none) */
    public HttpStoreSettings withCaFile(Path file) {
        return new HttpStoreSettings(
                credentials,
                file,
                connectTimeout,
                requestTimeout,
                maxRegistryBytes,
                maxBackoff,
                bootstrap,
                rollbackWriter);
    }

    /** @return these settings with another request timeout */
    public HttpStoreSettings withRequestTimeout(Duration d) {
        return new HttpStoreSettings(
                credentials, caFile, connectTimeout, d, maxRegistryBytes, maxBackoff, bootstrap, rollbackWriter);
    }

    /** @return these settings with another registry size limit */
    public HttpStoreSettings withMaxRegistryBytes(long bytes) {
        return new HttpStoreSettings(
                credentials, caFile, connectTimeout, requestTimeout, bytes, maxBackoff, bootstrap, rollbackWriter);
    }

    /** @return these settings with another longest backoff */
    public HttpStoreSettings withMaxBackoff(Duration d) {
        return new HttpStoreSettings(
                credentials, caFile, connectTimeout, requestTimeout, maxRegistryBytes, d, bootstrap, rollbackWriter);
    }

    /** @return these settings with a bootstrap store directory (null: none) */
    public HttpStoreSettings withBootstrap(Path storeDirectory) {
        return new HttpStoreSettings(
                credentials,
                caFile,
                connectTimeout,
                requestTimeout,
                maxRegistryBytes,
                maxBackoff,
                storeDirectory,
                rollbackWriter);
    }

    /**
     * @return these settings with credentials that may write the store, so that this replica records its automatic
     *     rollbacks in the shared registry (null: read only)
     */
    public HttpStoreSettings withRollbackWriter(StoreCredentials writer) {
        return new HttpStoreSettings(
                credentials, caFile, connectTimeout, requestTimeout, maxRegistryBytes, maxBackoff, bootstrap, writer);
    }
}
