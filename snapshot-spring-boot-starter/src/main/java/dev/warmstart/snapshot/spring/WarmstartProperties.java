package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.StoreCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the Warmstart starter, under {@code warmstart.snapshot}. */
@ConfigurationProperties(prefix = WarmstartProperties.PREFIX)
public class WarmstartProperties {
    /** Prefix of every property. */
    public static final String PREFIX = "warmstart.snapshot";

    /** Full name of the location property. */
    public static final String LOCATION = PREFIX + ".location";

    /**
     * The snapshot to serve: a snapshot file ({@code target/snapshot/app-1.0-snapshot.tar}), a store directory
     * holding {@code registry.json} (stable, canaries, hot switches), as a path or a {@code file:} URI; or the
     * {@code http://} or {@code https://} base URL of a remote store shared by a fleet (with {@code cache-dir}).
     */
    private String location;

    /**
     * For a remote store: this replica's own cache directory, where verified snapshots and the last applied
     * registry are kept, so a restart while the server is unreachable serves from it. Required with a URL.
     */
    private Path cacheDir;

    /**
     * How often a store's registry is re-read for changes (file-system events also trigger a re-read); for a
     * remote store, how often {@code registry.json} is polled with a conditional GET (± 20 % jitter).
     */
    private Duration pollInterval = Duration.ofSeconds(1);

    private final Remote remote = new Remote();

    /** Whether the snapshot's config keys are added to the Environment. */
    private boolean propertySource = true;

    private final Web web = new Web();

    /**
     * Access to a remote store. Unset values fall back to the environment variables the loader reads
     * ({@code WARMSTART_STORE_TOKEN}, {@code WARMSTART_STORE_USER}/{@code WARMSTART_STORE_PASSWORD},
     * {@code WARMSTART_STORE_CREDENTIALS}, {@code WARMSTART_STORE_CA_FILE}, {@code WARMSTART_STORE_BOOTSTRAP}).
     * Credentials are sent as the {@code Authorization} header and never logged or shown by the actuator.
     */
    public static class Remote {
        /** User name for HTTP basic authentication (with {@code password}). */
        private String username;

        /** Password for HTTP basic authentication. */
        private String password;

        /** Bearer token (instead of {@code username} and {@code password}). */
        private String token;

        /** A properties file holding {@code token=…}, or {@code user=…} and {@code password=…} (a mounted secret). */
        private Path credentialsFile;

        /** A PEM file of extra CA certificates trusted besides the JDK's. */
        private Path caFile;

        /**
         * A store directory baked into the image ({@code store pull URL DIR}) to start from when the cache is empty
         * and the server cannot be reached.
         */
        private Path bootstrap;

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getToken() {
            return token;
        }

        public void setToken(String token) {
            this.token = token;
        }

        public Path getCredentialsFile() {
            return credentialsFile;
        }

        public void setCredentialsFile(Path credentialsFile) {
            this.credentialsFile = credentialsFile;
        }

        public Path getCaFile() {
            return caFile;
        }

        public void setCaFile(Path caFile) {
            this.caFile = caFile;
        }

        public Path getBootstrap() {
            return bootstrap;
        }

        public void setBootstrap(Path bootstrap) {
            this.bootstrap = bootstrap;
        }

        /**
         * @param env the environment ({@code System.getenv()}), for what is not set here
         * @return the loader's settings for the remote store
         * @throws IOException when a credentials file cannot be read (the message names the file, never a secret)
         */
        public HttpStoreSettings toSettings(Map<String, String> env) throws IOException {
            HttpStoreSettings settings = HttpStoreSettings.fromEnvironment(env);
            if (token != null && !token.isBlank()) {
                settings = settings.withCredentials(StoreCredentials.bearer(token.strip()));
            } else if (username != null && !username.isBlank()) {
                settings = settings.withCredentials(
                        StoreCredentials.basic(username.strip(), password == null ? "" : password));
            } else if (credentialsFile != null) {
                settings = settings.withCredentials(StoreCredentials.fromFile(credentialsFile));
            }
            if (caFile != null) {
                settings = settings.withCaFile(caFile);
            }
            if (bootstrap != null) {
                settings = settings.withBootstrap(bootstrap);
            }
            return settings;
        }

        /** @return which kinds of access are set, never their values */
        @Override
        public String toString() {
            return "Remote[" + (token != null ? "token" : username != null ? "basic" : "env") + "]";
        }
    }

    /** Per-request routing of web applications. */
    public static class Web {
        /** Whether requests are routed (servlet filter or WebFilter). */
        private boolean enabled = true;

        /** Request header pinning a snapshot id (honoured when that snapshot is served and pinnable). */
        private String pinHeader = "X-Snapshot-Version";

        /** Request header holding the user id (allowlists and the canary share hash on it). */
        private String userHeader = "X-User-Id";

        /** Request header holding the tenant id (allowlists; the canary hash when no user id is given). */
        private String tenantHeader = "X-Tenant-Id";

        /** Response header naming the snapshot that served the request; empty for none. */
        private String responseHeader = "X-Snapshot-Id";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPinHeader() {
            return pinHeader;
        }

        public void setPinHeader(String pinHeader) {
            this.pinHeader = pinHeader;
        }

        public String getUserHeader() {
            return userHeader;
        }

        public void setUserHeader(String userHeader) {
            this.userHeader = userHeader;
        }

        public String getTenantHeader() {
            return tenantHeader;
        }

        public void setTenantHeader(String tenantHeader) {
            this.tenantHeader = tenantHeader;
        }

        public String getResponseHeader() {
            return responseHeader;
        }

        public void setResponseHeader(String responseHeader) {
            this.responseHeader = responseHeader;
        }
    }

    public String getLocation() {
        return location;
    }

    public void setLocation(String location) {
        this.location = location;
    }

    public Path getCacheDir() {
        return cacheDir;
    }

    public void setCacheDir(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public Remote getRemote() {
        return remote;
    }

    public boolean isPropertySource() {
        return propertySource;
    }

    public void setPropertySource(boolean propertySource) {
        this.propertySource = propertySource;
    }

    public Web getWeb() {
        return web;
    }
}
