package dev.warmstart.snapshot.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.Mojo;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store goals as Maven configures them: defaults and {@code -D} properties, as a pipeline passes them. */
class StoreMojosTest {
    @TempDir
    Path dir;

    MojoHarness maven;

    @BeforeEach
    void start() throws Exception {
        maven = new MojoHarness(dir);
        maven.start();
    }

    @AfterEach
    void stop() throws Exception {
        maven.stop();
    }

    private File file(String relative) {
        return dir.resolve(relative).toFile();
    }

    private <T extends Mojo> T goal(String goal, Map<String, String> properties) throws Exception {
        return maven.goal(goal, maven.project(Map.of()), properties);
    }

    @Test
    void everyStoreGoalTakesTheStoreAndSkipFromTheSameProperties() throws Exception {
        for (String goal : List.of("publish", "promote", "rollback", "history")) {
            Mojo mojo = goal(goal, Map.of("snapshot.store", file("store").toString(), "snapshot.skip", "true"));
            assertThat(maven.field(mojo, "store"))
                    .as(goal)
                    .isEqualTo(file("store").toString());
            assertThat(maven.field(mojo, "skip")).as(goal).isEqualTo(true);
        }
    }

    @Test
    void theFileDefaultsToWhatTheBuildWrote() throws Exception {
        for (String goal : List.of("publish", "promote")) {
            Mojo mojo = goal(goal, Map.of());
            assertThat(maven.field(mojo, "file")).as(goal).isEqualTo(file("target/snapshot/app-1.0-snapshot.tar"));
            assertThat(maven.field(mojo, "skip")).as(goal).isEqualTo(false);
        }
        Mojo publish = goal("publish", Map.of("snapshot.file", file("other.tar").toString()));
        assertThat(maven.field(publish, "file")).isEqualTo(file("other.tar"));
    }

    @Test
    void promoteDefaultsToAGuardedStable() throws Exception {
        PromoteMojo mojo = goal("promote", Map.of());

        assertThat(maven.field(mojo, "id")).isNull();
        assertThat(maven.field(mojo, "channel")).isEqualTo("stable");
        assertThat(maven.field(mojo, "percent")).isEqualTo(0.0);
        assertThat((List<?>) maven.field(mojo, "allowlist")).isNullOrEmpty();
        assertThat(maven.field(mojo, "pinnable")).isEqualTo(true);
        assertThat(maven.field(mojo, "guard")).isEqualTo(true);
        assertThat(maven.field(mojo, "maxFailureRate")).isEqualTo(3.0);
        assertThat(maven.field(mojo, "window")).isEqualTo("5m");
        assertThat(maven.field(mojo, "minRequests")).isEqualTo(100L);
    }

    @Test
    void promoteTakesACanaryFromProperties() throws Exception {
        PromoteMojo mojo = goal(
                "promote",
                Map.of(
                        "snapshot.id", "20261101T000000Z-3f2a9c0d1b7e",
                        "snapshot.channel", "canary",
                        "snapshot.percent", "12.5",
                        "snapshot.allowlist", "tenant-a,tenant-b",
                        "snapshot.pinnable", "false",
                        "snapshot.guard", "false",
                        "snapshot.maxFailureRate", "1.5",
                        "snapshot.window", "30s",
                        "snapshot.minRequests", "20"));

        assertThat(maven.field(mojo, "id")).isEqualTo("20261101T000000Z-3f2a9c0d1b7e");
        assertThat(maven.field(mojo, "channel")).isEqualTo("canary");
        assertThat(maven.field(mojo, "percent")).isEqualTo(12.5);
        assertThat(maven.field(mojo, "allowlist")).isEqualTo(List.of("tenant-a", "tenant-b"));
        assertThat(maven.field(mojo, "pinnable")).isEqualTo(false);
        assertThat(maven.field(mojo, "guard")).isEqualTo(false);
        assertThat(maven.field(mojo, "maxFailureRate")).isEqualTo(1.5);
        assertThat(maven.field(mojo, "window")).isEqualTo("30s");
        assertThat(maven.field(mojo, "minRequests")).isEqualTo(20L);
    }

    @Test
    void rollbackDefaultsToThePreviousStableAndTakesIdAndChannel() throws Exception {
        RollbackMojo defaults = goal("rollback", Map.of());
        assertThat(maven.field(defaults, "id")).isNull();
        assertThat(maven.field(defaults, "channel")).isEqualTo("stable");

        RollbackMojo mojo = goal("rollback", Map.of("snapshot.id", "x", "snapshot.channel", "canary"));
        assertThat(maven.field(mojo, "id")).isEqualTo("x");
        assertThat(maven.field(mojo, "channel")).isEqualTo("canary");
    }

    @Test
    void everyStoreGoalTakesAStoreUrlWithItsServerIdForceAndADeployedArtifact() throws Exception {
        for (String goal : List.of("publish", "promote", "rollback", "history")) {
            Mojo mojo = goal(
                    goal,
                    Map.of(
                            "snapshot.store", "https://snapshots.example.com/store/",
                            "snapshot.serverId", "snapshots",
                            "snapshot.force", "true",
                            "snapshot.artifact", "com.example:app:1.0",
                            "snapshot.repository", "releases::default::https://repo.example.com/releases"));
            assertThat(maven.field(mojo, "store")).as(goal).isEqualTo("https://snapshots.example.com/store/");
            assertThat(maven.field(mojo, "serverId")).as(goal).isEqualTo("snapshots");
            assertThat(maven.field(mojo, "force")).as(goal).isEqualTo(true);
            assertThat(maven.field(mojo, "artifact")).as(goal).isEqualTo("com.example:app:1.0");
            assertThat(maven.field(mojo, "repository"))
                    .as(goal)
                    .isEqualTo("releases::default::https://repo.example.com/releases");
        }
        Mojo defaults = goal("publish", Map.of());
        assertThat(maven.field(defaults, "force")).isEqualTo(false);
        assertThat(maven.field(defaults, "serverId")).isNull();
    }

    @Test
    void aServerIdThatSettingsDoNotHoldFailsTheGoalNamingIt() throws Exception {
        Mojo mojo = goal("history", Map.of("snapshot.store", "http://127.0.0.1:9/store/", "snapshot.serverId", "nope"));
        assertThatThrownBy(mojo::execute)
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("settings.xml has no <server> with id 'nope'");
    }

    @Test
    void skippedStoreGoalsLeaveTheStoreAlone() throws Exception {
        for (String goal : List.of("publish", "promote", "rollback", "history")) {
            goal(goal, Map.of("snapshot.store", file("store").toString(), "snapshot.skip", "true"))
                    .execute();
        }
        assertThat(dir.resolve("store")).doesNotExist();
    }
}
