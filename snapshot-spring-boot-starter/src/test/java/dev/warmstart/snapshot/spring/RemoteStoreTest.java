package dev.warmstart.snapshot.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.testsupport.NginxServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter on a remote store served by a real nginx on loopback: {@code warmstart.snapshot.location} is the
 * store's URL, with {@code cache-dir} and credentials. The pipeline's side writes the served directory with
 * {@link SnapshotStore}, as a pipeline with access to it does (the remote writers are tested in the loader and the
 * plugin).
 */
class RemoteStoreTest {
    private static final String PASSWORD = "replica-secret-5b1e";

    @TempDir
    Path dir;

    private ApplicationContextRunner runner(NginxServer nginx, String... more) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        WarmstartAutoConfiguration.class, WarmstartActuatorAutoConfiguration.class))
                // What SpringApplication does through spring.factories; the runner does not.
                .withInitializer(context ->
                        new SnapshotEnvironmentPostProcessor().postProcessEnvironment(context.getEnvironment(), null))
                .withPropertyValues(
                        "warmstart.snapshot.location=" + nginx.url() + "store/",
                        "warmstart.snapshot.cache-dir=" + dir.resolve("cache"),
                        "warmstart.snapshot.poll-interval=100ms")
                .withPropertyValues(more);
    }

    private NginxServer nginx(String serverDirectives) throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        return NginxServer.startWith(dir.resolve("www"), dir.resolve("nginx"), serverDirectives, false);
    }

    /** The store on the server with {@code v1} stable, written where nginx serves it. */
    private Path servedStore() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        return TestSnapshots.store(www);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s for: " + what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static String render(ConfigurableApplicationContext context) {
        return context.getBean(Prompts.class).render("support/answer", Map.of("question", "why?"));
    }

    @Test
    void anAppStartsFromAStoreUrlAndAPromotionOnTheServerSwitchesIt() throws Exception {
        Path store = servedStore();
        try (NginxServer nginx = nginx("")) {
            runner(nginx).run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getEnvironment().getProperty("model.name")).isEqualTo("v1");
                assertThat(render(context)).isEqualTo("[v1] Answer why?");
                ServingSnapshots serving = context.getBean(ServingSnapshots.class);
                assertThat(serving.kind()).isEqualTo(ServingSnapshots.Kind.REMOTE);
                Health health = context.getBean(SnapshotHealthIndicator.class).health();
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                assertThat(health.getDetails())
                        .containsEntry("kind", "remote")
                        .containsEntry("store", "reachable")
                        .containsEntry("location", nginx.url() + "store/");

                String v2 = TestSnapshots.promote(dir.resolve("www"), store);
                await("v2 serving", () -> v2.equals(serving.channels().get("stable")));
                assertThat(context.getEnvironment().getProperty("model.name")).isEqualTo("v2");
                assertThat(render(context)).isEqualTo("[v2] Answer why?");
            });
            assertThat(dir.resolve("cache/registry.json")).exists();
        }
    }

    @Test
    void withTheServerDownTheAppKeepsServingFromItsCacheAndHealthSaysSo() throws Exception {
        servedStore();
        try (NginxServer nginx = nginx("")) {
            runner(nginx).run(context -> {
                ServingSnapshots serving = context.getBean(ServingSnapshots.class);
                SnapshotHealthIndicator indicator = context.getBean(SnapshotHealthIndicator.class);
                nginx.stop();
                await("serving from cache", serving::servingFromCache);
                Health health = indicator.health();
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                assertThat(health.getDetails()).containsEntry("store", "serving from cache, server unreachable");
                assertThat(render(context)).isEqualTo("[v1] Answer why?");

                nginx.start();
                await("reachable again", () -> !serving.servingFromCache());
                assertThat(indicator.health().getDetails()).containsEntry("store", "reachable");
            });
        }
    }

    @Test
    void credentialsFromPropertiesAreSentAndNeverShown() throws Exception {
        servedStore();
        Files.writeString(dir.resolve("htpasswd"), "replica:{PLAIN}" + PASSWORD + "\n");
        String auth = "    auth_basic \"store\";\n    auth_basic_user_file " + dir.resolve("htpasswd") + ";\n";
        try (NginxServer nginx = nginx(auth)) {
            runner(
                            nginx,
                            "warmstart.snapshot.remote.username=replica",
                            "warmstart.snapshot.remote.password=" + PASSWORD)
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(render(context)).isEqualTo("[v1] Answer why?");
                        Health health =
                                context.getBean(SnapshotHealthIndicator.class).health();
                        assertThat(health.getDetails().toString()).doesNotContain(PASSWORD);
                        assertThat(context.getBean(WarmstartProperties.class)
                                        .getRemote()
                                        .toString())
                                .doesNotContain(PASSWORD);
                    });
            assertThat(nginx.accessLog()).anyMatch(l -> l.startsWith("GET /store/registry.json 200"));

            runner(nginx, "warmstart.snapshot.remote.username=replica", "warmstart.snapshot.remote.password=wrong-pw")
                    .withPropertyValues("warmstart.snapshot.cache-dir=" + dir.resolve("cache-2"))
                    .run(context -> {
                        FailureAnalysis analysis =
                                new SnapshotLocationFailureAnalyzer().analyze(context.getStartupFailure());
                        assertThat(analysis.getDescription())
                                .contains("cannot serve the remote store")
                                .contains("401")
                                .doesNotContain("wrong-pw");
                        assertThat(analysis.getAction()).contains("warmstart.snapshot.remote.");
                    });
        }
    }
}
