package dev.warmstart.snapshot.spring;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Actuator support: the {@code snapshot} health indicator and the {@code /actuator/snapshot} endpoint. */
@AutoConfiguration(after = WarmstartAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(ServingSnapshots.class)
public class WarmstartActuatorAutoConfiguration {

    /** Health: up while a verified snapshot serves; says when the last switch failed. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnEnabledHealthIndicator("snapshot")
    public SnapshotHealthIndicator snapshotHealthIndicator(ServingSnapshots serving) {
        return new SnapshotHealthIndicator(serving);
    }

    /** The read-only {@code snapshot} endpoint. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public SnapshotEndpoint snapshotEndpoint(ServingSnapshots serving) {
        return new SnapshotEndpoint(serving);
    }
}
