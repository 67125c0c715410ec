package dev.warmstart.snapshot.spring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the Warmstart starter, under {@code warmstart.snapshot}. */
@ConfigurationProperties(prefix = WarmstartProperties.PREFIX)
public class WarmstartProperties {
    /** Prefix of every property. */
    public static final String PREFIX = "warmstart.snapshot";

    /** Full name of the location property. */
    public static final String LOCATION = PREFIX + ".location";

    /**
     * The snapshot to serve: a snapshot file ({@code target/snapshot/app-1.0-snapshot.tar}) or a store directory
     * holding {@code registry.json} (stable, canaries, hot switches). A path or a {@code file:} URI. Remote store
     * URLs are reserved for a later version, together with {@code cache-dir}.
     */
    private String location;

    /**
     * Reserved: where a remote store's snapshots will be cached. Unused while only local locations are
     * supported.
     */
    private Path cacheDir;

    /** How often a store's registry is re-read for changes (file-system events also trigger a re-read). */
    private Duration pollInterval = Duration.ofSeconds(1);

    /** Whether the snapshot's config keys are added to the Environment. */
    private boolean propertySource = true;

    private final Web web = new Web();

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
