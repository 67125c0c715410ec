package dev.warmstart.snapshot.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.micrometer.WarmstartMeterBinder;
import dev.warmstart.snapshot.store.RequestContext;
import dev.warmstart.snapshot.store.SnapshotManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ActuatorAndMetricsTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner(Path location) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        WarmstartAutoConfiguration.class,
                        WarmstartActuatorAutoConfiguration.class,
                        WarmstartMetricsAutoConfiguration.class))
                .withPropertyValues(
                        "warmstart.snapshot.location=" + location, "management.endpoints.web.exposure.include=*");
    }

    @Test
    void healthIsUpAndNamesWhatServes() throws Exception {
        Path store = TestSnapshots.store(dir);
        runner(store).run(context -> {
            Health health = context.getBean(SnapshotHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKeys("channels", "revision").containsEntry("kind", "store");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointListsChannelsCanariesAndCounts() throws Exception {
        Path store = TestSnapshots.store(dir);
        String v2 = TestSnapshots.canary(dir, store, 12.5);
        runner(store).run(context -> {
            Map<String, Object> state = context.getBean(SnapshotEndpoint.class).snapshot();
            assertThat((Map<String, String>) state.get("channels")).containsEntry("canary", v2);
            List<Map<String, Object>> canaries = (List<Map<String, Object>>) state.get("canaries");
            assertThat(canaries).singleElement().satisfies(c -> {
                assertThat(c).containsEntry("snapshot", v2).containsEntry("percent", 12.5);
            });
            List<Map<String, Object>> snapshots = (List<Map<String, Object>>) state.get("snapshots");
            assertThat(snapshots)
                    .hasSize(2)
                    .allSatisfy(
                            s -> assertThat(s).containsEntry("configKeys", 3).containsEntry("prompts", 1));
            assertThat(((Map<String, Object>) state.get("registry"))
                            .get("change")
                            .toString())
                    .isNotEmpty();
        });
    }

    @Test
    void aSnapshotFileGetsHealthAndEndpointButNoManagerMeters() throws Exception {
        Path file = TestSnapshots.write(dir, "v1");
        runner(file).run(context -> {
            assertThat(context.getBean(SnapshotHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
            assertThat(context.getBean(SnapshotEndpoint.class).snapshot()).containsEntry("kind", "file");
            MeterRegistry registry = new SimpleMeterRegistry();
            context.getBean("warmstartMeterBinder", io.micrometer.core.instrument.binder.MeterBinder.class)
                    .bindTo(registry);
            assertThat(registry.getMeters()).isEmpty();
        });
    }

    @Test
    void theMeterBinderReadsTheManagersCountersAndPicksUpNewCanaries() throws Exception {
        Path store = TestSnapshots.store(dir);
        try (SnapshotManager manager = SnapshotManager.open(store)) {
            MeterRegistry registry = new SimpleMeterRegistry();
            WarmstartMeterBinder binder = new WarmstartMeterBinder(manager);
            binder.bindTo(registry);
            String v1 = manager.stableId();
            try (var lease = manager.select(RequestContext.forUser("ann"))) {
                lease.recordFailure();
            }
            assertThat(registry.get("warmstart.snapshot.selections")
                            .tag("channel", "stable")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("warmstart.snapshot.outcomes")
                            .tags("snapshot", v1, "outcome", "failure")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);

            String v2 = TestSnapshots.canary(dir, store, 100);
            manager.refresh();
            binder.refresh();
            try (var lease = manager.select(RequestContext.forUser("bob"))) {
                assertThat(lease.snapshotId()).isEqualTo(v2);
            }
            assertThat(registry.get("warmstart.snapshot.selections")
                            .tag("channel", "canary")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("warmstart.snapshot.switches")
                            .functionCounter()
                            .count())
                    .isGreaterThanOrEqualTo(1);
            assertThat(registry.get("warmstart.snapshot.revision").gauge().value())
                    .isEqualTo(manager.revision());
        }
    }
}
