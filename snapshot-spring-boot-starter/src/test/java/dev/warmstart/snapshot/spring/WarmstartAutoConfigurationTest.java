package dev.warmstart.snapshot.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.store.RequestContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class WarmstartAutoConfigurationTest {
    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(WarmstartAutoConfiguration.class))
            .withUserConfiguration(ModelConfig.class)
            // What SpringApplication does through spring.factories; the runner does not.
            .withInitializer(context ->
                    new SnapshotEnvironmentPostProcessor().postProcessEnvironment(context.getEnvironment(), null));

    @ConfigurationProperties(prefix = "model")
    public static class ModelProperties {
        private String name;
        private double temperature;
        private String endpoint;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public double getTemperature() {
            return temperature;
        }

        public void setTemperature(double temperature) {
            this.temperature = temperature;
        }

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ModelProperties.class)
    static class ModelConfig {}

    @Test
    void withoutLocationNothingIsConfigured() {
        runner.run(context -> assertThat(context).doesNotHaveBean(ServingSnapshots.class));
    }

    @Test
    void configurationPropertiesBindFromASnapshotFile() throws Exception {
        Path file = TestSnapshots.write(dir, "v1");
        runner.withPropertyValues("warmstart.snapshot.location=" + file).run(context -> {
            assertThat(context).hasNotFailed();
            ModelProperties model = context.getBean(ModelProperties.class);
            assertThat(model.getName()).isEqualTo("v1");
            assertThat(model.getTemperature()).isEqualTo(0.2d);
            // ${env:...:-default} resolved by the loader's rules at lookup time
            assertThat(model.getEndpoint()).isEqualTo("http://localhost/v1");
            assertThat(context.getBean(Prompts.class).render("support/answer", Map.of("question", "why?")))
                    .isEqualTo("[v1] Answer why?");
        });
    }

    @Test
    void aSystemPropertyOverridesTheSnapshotAndTheSnapshotOverridesApplicationConfig() throws Exception {
        Path file = TestSnapshots.write(dir, "v1");
        ConfigurableEnvironment env = new StandardEnvironment();
        env.getPropertySources()
                .addLast(new MapPropertySource(
                        "application.yml", Map.of("model.name", "from-yml", "model.extra", "only-in-yml")));
        try (ServingSnapshots serving = ServingSnapshots.open(file.toString(), java.time.Duration.ofSeconds(1))) {
            assertThat(SnapshotPropertySource.addTo(env, serving)).isTrue();
            assertThat(env.getProperty("model.name")).isEqualTo("v1");
            assertThat(env.getProperty("model.extra")).isEqualTo("only-in-yml");
            System.setProperty("model.name", "from-system");
            try {
                assertThat(env.getProperty("model.name")).isEqualTo("from-system");
            } finally {
                System.clearProperty("model.name");
            }
            assertThat(env.getPropertySources()
                            .precedenceOf(env.getPropertySources().get(SnapshotPropertySource.NAME)))
                    .isEqualTo(env.getPropertySources()
                                    .precedenceOf(env.getPropertySources()
                                            .get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME))
                            + 1);
        }
    }

    @Test
    void addingThePropertySourceTwiceIsHarmless() throws Exception {
        Path file = TestSnapshots.write(dir, "v1");
        ConfigurableEnvironment env = new StandardEnvironment();
        try (ServingSnapshots serving = ServingSnapshots.open(file.toString(), java.time.Duration.ofSeconds(1))) {
            assertThat(SnapshotPropertySource.addTo(env, serving)).isTrue();
            int before = env.getPropertySources().size();
            assertThat(SnapshotPropertySource.addTo(env, serving)).isFalse();
            assertThat(env.getPropertySources().size()).isEqualTo(before);
            new SnapshotEnvironmentPostProcessor().postProcessEnvironment(env, null);
            assertThat(env.getPropertySources().size()).isEqualTo(before);
        }
    }

    @Test
    void environmentLookupsFollowAHotSwitchWhileBoundBeansKeepTheirValues() throws Exception {
        Path store = TestSnapshots.store(dir);
        runner.withPropertyValues("warmstart.snapshot.location=" + store).run(context -> {
            assertThat(context.getEnvironment().getProperty("model.name")).isEqualTo("v1");
            TestSnapshots.promote(dir, store);
            ServingSnapshots serving = context.getBean(ServingSnapshots.class);
            serving.manager().orElseThrow().refresh();
            assertThat(context.getEnvironment().getProperty("model.name")).isEqualTo("v2");
            assertThat(context.getBean(Prompts.class).render("support/answer", Map.of("question", "q")))
                    .isEqualTo("[v2] Answer q");
            assertThat(context.getBean(ModelProperties.class).getName()).isEqualTo("v1");
        });
    }

    @Test
    void promptsServeTheSelectionBoundToTheThread() throws Exception {
        Path store = TestSnapshots.store(dir);
        String v2 = TestSnapshots.canary(dir, store, 0);
        runner.withPropertyValues("warmstart.snapshot.location=" + store).run(context -> {
            ServingSnapshots serving = context.getBean(ServingSnapshots.class);
            serving.manager().orElseThrow().refresh();
            Prompts prompts = context.getBean(Prompts.class);
            try (SnapshotSelection pinned = serving.select(new RequestContext(v2, null, null, null));
                    CurrentSelection.Scope scope = CurrentSelection.bind(pinned)) {
                assertThat(pinned.snapshotId()).isEqualTo(v2);
                assertThat(prompts.render("support/answer", Map.of("question", "q")))
                        .isEqualTo("[v2] Answer q");
            }
            assertThat(prompts.render("support/answer", Map.of("question", "q")))
                    .isEqualTo("[v1] Answer q");
        });
    }

    @Test
    void aMissingLocationFailsStartUpWithTheAnalyzersMessage() {
        runner.withPropertyValues("warmstart.snapshot.location=" + dir.resolve("nope.tar"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    FailureAnalysis analysis = new SnapshotLocationFailureAnalyzer().analyze(failure);
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription())
                            .contains("warmstart.snapshot.location=")
                            .contains("nope.tar")
                            .contains("no such file or directory");
                    assertThat(analysis.getAction()).contains("warmstart.snapshot.location");
                });
    }

    @Test
    void aRemoteLocationWithoutCacheDirectoryIsRefusedNamingTheProperty() {
        runner.withPropertyValues("warmstart.snapshot.location=https://snapshots.example.com/store/")
                .run(context -> {
                    FailureAnalysis analysis =
                            new SnapshotLocationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("a remote store needs a cache directory");
                    assertThat(analysis.getAction()).contains("warmstart.snapshot.cache-dir");
                });
    }

    @Test
    void credentialsInARemoteLocationAreRefusedWithoutRepeatingThem() {
        runner.withPropertyValues(
                        "warmstart.snapshot.location=https://ci:s3cret@snapshots.example.com/store/",
                        "warmstart.snapshot.cache-dir=" + dir.resolve("cache"))
                .run(context -> {
                    FailureAnalysis analysis =
                            new SnapshotLocationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("credentials in the URL")
                            .contains("https://snapshots.example.com/store/")
                            .doesNotContain("s3cret");
                    assertThat(analysis.getAction()).contains("warmstart.snapshot.remote.username");
                });
    }

    @Test
    void aDirectoryWithoutRegistryIsRefused() {
        runner.withPropertyValues("warmstart.snapshot.location=" + dir).run(context -> {
            FailureAnalysis analysis = new SnapshotLocationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("registry.json");
            assertThat(analysis.getAction()).contains("snapshot:publish");
        });
    }

    @Test
    void aCorruptSnapshotFileIsRefused() throws Exception {
        Path file = TestSnapshots.write(dir, "v1");
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        java.nio.file.Files.write(file, bytes);
        runner.withPropertyValues("warmstart.snapshot.location=" + file).run(context -> {
            FailureAnalysis analysis = new SnapshotLocationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("cannot serve the snapshot file");
        });
    }
}
