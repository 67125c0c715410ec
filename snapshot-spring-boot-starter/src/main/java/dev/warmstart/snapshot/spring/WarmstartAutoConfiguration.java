package dev.warmstart.snapshot.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Serves {@code warmstart.snapshot.location}: the {@link ServingSnapshots} (opened by {@link
 * SnapshotEnvironmentPostProcessor}, or here when that did not run), the {@link SnapshotPropertySource}, the
 * {@link Prompts} bean and, in web applications, per-request routing.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = WarmstartProperties.PREFIX, name = "location")
@EnableConfigurationProperties(WarmstartProperties.class)
public class WarmstartAutoConfiguration {

    /** The snapshots being served; closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ServingSnapshots servingSnapshots(ConfigurableEnvironment environment, WarmstartProperties properties) {
        return SnapshotPropertySource.find(environment).orElseGet(() -> {
            ServingSnapshots serving = ServingSnapshots.open(properties);
            if (properties.isPropertySource()) {
                SnapshotPropertySource.addTo(environment, serving);
            }
            return serving;
        });
    }

    /** Prompt templates of the request's snapshot. */
    @Bean
    @ConditionalOnMissingBean
    public Prompts prompts(ServingSnapshots serving) {
        return new Prompts(serving);
    }

    /** Routing for servlet applications. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    @ConditionalOnProperty(prefix = WarmstartProperties.PREFIX, name = "web.enabled", matchIfMissing = true)
    static class ServletRouting {
        /** Early in the chain, so security and error handling run inside the selection. */
        static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

        @Bean
        @ConditionalOnMissingBean(name = "snapshotRoutingFilter")
        FilterRegistrationBean<SnapshotRoutingFilter> snapshotRoutingFilter(
                ServingSnapshots serving, WarmstartProperties properties) {
            FilterRegistrationBean<SnapshotRoutingFilter> registration =
                    new FilterRegistrationBean<>(new SnapshotRoutingFilter(serving, properties.getWeb()));
            registration.setOrder(ORDER);
            return registration;
        }
    }

    /** Routing for WebFlux applications. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
    @ConditionalOnProperty(prefix = WarmstartProperties.PREFIX, name = "web.enabled", matchIfMissing = true)
    static class ReactiveRouting {
        @Bean
        @ConditionalOnMissingBean
        SnapshotRoutingWebFilter snapshotRoutingWebFilter(ServingSnapshots serving, WarmstartProperties properties) {
            return new SnapshotRoutingWebFilter(serving, properties.getWeb());
        }
    }
}
