package dev.warmstart.snapshot.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** snapshot:build as Maven configures it: defaults, {@code -D} properties, and what it attaches. */
class BuildSnapshotMojoTest {
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

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void defaultsFollowTheProjectsLayout() throws Exception {
        BuildSnapshotMojo mojo = maven.goal("build", maven.project(Map.of()), Map.of());

        assertThat(maven.field(mojo, "skip")).isEqualTo(false);
        assertThat(maven.field(mojo, "configDirectory")).isEqualTo(file("src/main/snapshot/config"));
        assertThat(maven.field(mojo, "promptsDirectory")).isEqualTo(file("src/main/snapshot/prompts"));
        assertThat(maven.field(mojo, "appsDirectory")).isEqualTo(file("src/main/snapshot/apps"));
        assertThat(maven.field(mojo, "maxInputCodePoints")).isEqualTo(16_777_216);
        assertThat(maven.field(mojo, "followExternalLinks")).isEqualTo(false);
        assertThat(maven.field(mojo, "outputDirectory")).isEqualTo(file("target/snapshot"));
        assertThat(maven.field(mojo, "finalName")).isEqualTo("app-1.0-snapshot");
        assertThat(maven.field(mojo, "classifier")).isEqualTo("snapshot");
        assertThat(maven.field(mojo, "attach")).isEqualTo(true);
        assertThat(maven.field(mojo, "baseImage")).isNull();
        assertThat(maven.field(mojo, "failOnWarning")).isEqualTo(false);
        assertThat(maven.field(mojo, "outputTimestamp")).isNull();
    }

    @Test
    void everyPropertyReachesItsParameter() throws Exception {
        Map<String, String> properties = Map.ofEntries(
                Map.entry("snapshot.skip", "true"),
                Map.entry("snapshot.configDirectory", file("cfg").toString()),
                Map.entry("snapshot.promptsDirectory", file("prm").toString()),
                Map.entry("snapshot.appsDirectory", file("dify").toString()),
                Map.entry("snapshot.maxInputCodePoints", "1000"),
                Map.entry("snapshot.followExternalLinks", "true"),
                Map.entry("snapshot.outputDirectory", file("out").toString()),
                Map.entry("snapshot.finalName", "custom"),
                Map.entry("snapshot.classifier", "prompts"),
                Map.entry("snapshot.attach", "false"),
                Map.entry("snapshot.baseImage", "sha256:abc"),
                Map.entry("snapshot.failOnWarning", "true"));

        BuildSnapshotMojo mojo = maven.goal("build", maven.project(Map.of()), properties);

        assertThat(maven.field(mojo, "skip")).isEqualTo(true);
        assertThat(maven.field(mojo, "configDirectory")).isEqualTo(file("cfg"));
        assertThat(maven.field(mojo, "promptsDirectory")).isEqualTo(file("prm"));
        assertThat(maven.field(mojo, "appsDirectory")).isEqualTo(file("dify"));
        assertThat(maven.field(mojo, "maxInputCodePoints")).isEqualTo(1000);
        assertThat(maven.field(mojo, "followExternalLinks")).isEqualTo(true);
        assertThat(maven.field(mojo, "outputDirectory")).isEqualTo(file("out"));
        assertThat(maven.field(mojo, "finalName")).isEqualTo("custom");
        assertThat(maven.field(mojo, "classifier")).isEqualTo("prompts");
        assertThat(maven.field(mojo, "attach")).isEqualTo(false);
        assertThat(maven.field(mojo, "baseImage")).isEqualTo("sha256:abc");
        assertThat(maven.field(mojo, "failOnWarning")).isEqualTo(true);
    }

    @Test
    void outputTimestampIsTheProjectsReproducibleBuildProperty() throws Exception {
        MavenProject project = maven.project(Map.of("project.build.outputTimestamp", "2026-01-01T00:00:00Z"));

        BuildSnapshotMojo mojo = maven.goal("build", project, Map.of());

        assertThat(maven.field(mojo, "outputTimestamp")).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void skipWritesNothing() throws Exception {
        write("src/main/snapshot/prompts/greet.txt", "Hello {{name}}");
        MavenProject project = maven.project(Map.of());

        BuildSnapshotMojo mojo = maven.goal("build", project, Map.of("snapshot.skip", "true"));
        mojo.execute();

        assertThat(dir.resolve("target")).doesNotExist();
        assertThat(project.getAttachedArtifacts()).isEmpty();
    }

    @Test
    void aBadOutputTimestampFailsAndKeepsTheParsersReason() throws Exception {
        MavenProject project = maven.project(Map.of("project.build.outputTimestamp", "2026-13-01T00:00:00Z"));

        BuildSnapshotMojo mojo = maven.goal("build", project, Map.of());

        assertThatThrownBy(mojo::execute)
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("project.build.outputTimestamp")
                .cause()
                .hasCauseInstanceOf(DateTimeParseException.class);
    }

    @Test
    void theTarAndItsSha256SidecarAreAttachedForInstallAndDeploy() throws Exception {
        write("src/main/snapshot/prompts/greet.txt", "Hello {{name}}");
        MavenProject project = maven.project(Map.of("project.build.outputTimestamp", "2026-01-01T00:00:00Z"));

        BuildSnapshotMojo mojo = maven.goal("build", project, Map.of());
        mojo.execute();

        assertThat(project.getAttachedArtifacts())
                .extracting(
                        Artifact::getType,
                        Artifact::getClassifier,
                        a -> a.getArtifactHandler().getExtension(),
                        Artifact::getFile)
                .containsExactly(
                        tuple("tar", "snapshot", "tar", file("target/snapshot/app-1.0-snapshot.tar")),
                        tuple(
                                "tar.sha256",
                                "snapshot",
                                "tar.sha256",
                                file("target/snapshot/app-1.0-snapshot.tar.sha256")));
    }

    @Test
    void anEmptySnapshotFailsUnderFailOnWarning() throws Exception {
        BuildSnapshotMojo mojo = maven.goal("build", maven.project(Map.of()), Map.of("snapshot.failOnWarning", "true"));

        assertThatThrownBy(mojo::execute)
                .isInstanceOf(MojoFailureException.class)
                .hasMessage("1 warning(s) and snapshot.failOnWarning is set");
    }
}
