package dev.warmstart.snapshot.plugin;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Verifies a snapshot, copies it into a store directory and registers it as {@code published}. Usable without a
 * pom: {@code mvn dev.warmstart:snapshot-maven-plugin:publish -Dsnapshot.store=DIR -Dsnapshot.file=FILE}.
 */
@Mojo(name = "publish", requiresProject = false, threadSafe = true)
public class PublishMojo extends AbstractStoreMojo {
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        run("publish", tasks -> tasks.publish(file.toPath()));
    }
}
