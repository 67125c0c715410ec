package dev.warmstart.snapshot.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Opens {@code warmstart.snapshot.location} as soon as the application's config files are read, and adds the
 * snapshot's config to the Environment ({@link SnapshotPropertySource}) before any bean is bound. Runs after
 * Spring Boot's config-data processing so the location may come from {@code application.yml}. A wrong location
 * fails start-up here, reported by {@link SnapshotLocationFailureAnalyzer}.
 */
public class SnapshotEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {
    /** After config data (application.yml) is loaded. */
    public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 10;

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String location = environment.getProperty(WarmstartProperties.LOCATION);
        if (location == null
                || !environment.getProperty(WarmstartProperties.PREFIX + ".property-source", Boolean.class, true)
                || SnapshotPropertySource.find(environment).isPresent()) {
            return;
        }
        ServingSnapshots serving = ServingSnapshots.open(Binder.get(environment)
                .bind(WarmstartProperties.PREFIX, WarmstartProperties.class)
                .orElseGet(WarmstartProperties::new));
        SnapshotPropertySource.addTo(environment, serving);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
