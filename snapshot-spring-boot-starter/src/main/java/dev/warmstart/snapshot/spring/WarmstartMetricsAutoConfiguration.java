package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.micrometer.WarmstartMeterBinder;
import dev.warmstart.snapshot.store.SnapshotEventListener;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link WarmstartMeterBinder} when Micrometer is on the classpath and a store is served; Spring
 * Boot binds it to every registry (Prometheus, OTLP, ...). New canaries get their meters at each switch.
 */
@AutoConfiguration(after = WarmstartAutoConfiguration.class)
@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
@ConditionalOnBean(ServingSnapshots.class)
public class WarmstartMetricsAutoConfiguration {

    /** The manager's meters; nothing for a single snapshot file (it never switches or routes). */
    @Bean
    @ConditionalOnMissingBean(name = "warmstartMeterBinder")
    public MeterBinder warmstartMeterBinder(ServingSnapshots serving) {
        return serving.manager()
                .<MeterBinder>map(manager -> {
                    WarmstartMeterBinder binder = new WarmstartMeterBinder(manager);
                    serving.addListener(new SnapshotEventListener() {
                        @Override
                        public void switched(long fromRevision, long toRevision, String stableId, Duration took) {
                            binder.refresh();
                        }
                    });
                    return binder;
                })
                .orElse(registry -> {});
    }
}
