package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.ConfigException;
import dev.warmstart.snapshot.loader.Snapshot;
import java.util.List;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;

/**
 * The serving stable snapshot's config keys as Spring properties: {@code @Value("${model.name}")} and
 * {@code @ConfigurationProperties(prefix = "model")} bind from the snapshot.
 *
 * <p>Every lookup reads the stable snapshot serving at that moment, so after a hot switch new lookups see the new
 * values (beans bound at start-up keep theirs). String values are resolved as the loader resolves them: {@code
 * ${env:NAME}}, {@code ${sys:NAME}} and {@code ${env:NAME:-default}} at lookup time.
 *
 * <p>Precedence ({@link #addTo}): below command-line arguments, Java system properties and environment
 * variables; above {@code application.properties}/{@code application.yml} and everything after them.
 */
public final class SnapshotPropertySource extends EnumerablePropertySource<ServingSnapshots> {
    /** The name this source has in the Environment. */
    public static final String NAME = "warmstartSnapshot";

    private record Names(String snapshotId, String[] names) {}

    private volatile Names names;

    /** @param serving the snapshots whose stable one is read */
    public SnapshotPropertySource(ServingSnapshots serving) {
        super(NAME, serving);
    }

    @Override
    public String[] getPropertyNames() {
        if (getSource().isClosed()) {
            return new String[0];
        }
        // Spring's binder asks for the names on every binding; listing keys allocates, so list once per snapshot.
        Snapshot stable = getSource().stableSnapshot();
        Names cached = names;
        if (cached == null || !cached.snapshotId().equals(stable.id())) {
            List<String> keys = stable.config().keys();
            cached = new Names(stable.id(), keys.toArray(new String[0]));
            names = cached;
        }
        return cached.names().clone();
    }

    @Override
    public Object getProperty(String name) {
        if (getSource().isClosed()) {
            return null; // the application context is shutting down
        }
        Config config = getSource().stableSnapshot().config();
        if (!config.contains(name) || config.isNull(name)) {
            return null;
        }
        Object raw = config.value(name);
        if (raw instanceof String) {
            try {
                // The loader's own resolution of ${env:...} and ${sys:...}.
                return config.getString(name);
            } catch (ConfigException e) {
                // An unset ${env:NAME} without default: let Spring report the property as missing where it is
                // needed, rather than failing every enumeration of the Environment.
                return null;
            }
        }
        return raw;
    }

    @Override
    public boolean containsProperty(String name) {
        return getProperty(name) != null;
    }

    /**
     * Adds the source for {@code serving} to {@code environment} unless a source of this name is there already
     * (so adding it twice is harmless). Placed right after the system environment (or system properties), i.e.
     * above the application's config files.
     *
     * @return whether it was added
     */
    public static boolean addTo(ConfigurableEnvironment environment, ServingSnapshots serving) {
        MutablePropertySources sources = environment.getPropertySources();
        if (sources.contains(NAME)) {
            return false;
        }
        SnapshotPropertySource source = new SnapshotPropertySource(serving);
        if (sources.contains(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
            sources.addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, source);
        } else if (sources.contains(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)) {
            sources.addAfter(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, source);
        } else {
            sources.addLast(source);
        }
        return true;
    }

    /** @return the serving snapshots behind the source in {@code environment}, if it has one */
    public static java.util.Optional<ServingSnapshots> find(ConfigurableEnvironment environment) {
        return java.util.Optional.ofNullable(environment.getPropertySources().get(NAME))
                .map(s -> (ServingSnapshots) s.getSource());
    }
}
