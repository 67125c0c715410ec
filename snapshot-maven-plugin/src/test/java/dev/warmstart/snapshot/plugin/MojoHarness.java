package dev.warmstart.snapshot.plugin;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.Mojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.testing.AbstractMojoTestCase;
import org.apache.maven.project.MavenProject;

/**
 * The plugin testing harness's container, driven from JUnit 5: looks the goals up from this build's
 * {@code plugin.xml} and configures them as Maven does, from defaults, {@code -D} properties and pom
 * configuration. Its base class is JUnit 3's, so it is a helper here, not a test.
 */
final class MojoHarness extends AbstractMojoTestCase {
    private final Path basedir;

    MojoHarness(Path basedir) {
        this.basedir = basedir;
    }

    void start() throws Exception {
        setUp();
    }

    void stop() throws Exception {
        tearDown();
    }

    /** A project {@code dev.warmstart.it:app:1.0} in the harness's directory, with its properties. */
    MavenProject project(Map<String, String> properties) {
        Model model = new Model();
        model.setModelVersion("4.0.0");
        model.setGroupId("dev.warmstart.it");
        model.setArtifactId("app");
        model.setVersion("1.0");
        model.setPackaging("pom");
        Build build = new Build();
        build.setDirectory(basedir.resolve("target").toString());
        model.setBuild(build);
        properties.forEach(model::addProperty);
        MavenProject project = new MavenProject(model);
        project.setFile(basedir.resolve("pom.xml").toFile());
        project.setArtifact(new DefaultArtifact(
                "dev.warmstart.it", "app", "1.0", null, "pom", null, new DefaultArtifactHandler("pom")));
        return project;
    }

    /**
     * @param userProperties what {@code -Dname=value} would set
     * @return the goal, configured as Maven configures it for {@code project}
     */
    @SuppressWarnings("unchecked")
    <T extends Mojo> T goal(String goal, MavenProject project, Map<String, String> userProperties) throws Exception {
        MavenSession session = newMavenSession(project);
        userProperties.forEach(session.getUserProperties()::setProperty);
        MojoExecution execution = newMojoExecution(goal);
        return (T) lookupConfiguredMojo(session, execution);
    }

    /** @return a field of a goal, as Maven injected it */
    Object field(Object mojo, String name) throws IllegalAccessException {
        return getVariableValueFromObject(mojo, name);
    }

    File basedir() {
        return basedir.toFile();
    }
}
