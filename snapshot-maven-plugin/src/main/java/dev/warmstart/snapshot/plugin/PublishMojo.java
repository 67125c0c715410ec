package dev.warmstart.snapshot.plugin;

import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Verifies a snapshot, copies it into a store and registers it as {@code published}. The store is a directory or
 * the URL of a remote store; the snapshot is the one this build wrote, a file, or a deployed artifact. Usable
 * without a pom: {@code mvn dev.warmstart:snapshot-maven-plugin:publish -Dsnapshot.store=DIR|URL
 * -Dsnapshot.file=FILE} or {@code -Dsnapshot.artifact=GROUP:ARTIFACT:VERSION}.
 */
@Mojo(name = "publish", requiresProject = false, threadSafe = true)
public class PublishMojo extends AbstractStoreMojo {
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        run(
                "publish",
                tasks -> tasks.publish(snapshotFile()),
                remote -> remote.change(List.of(), false, tasks -> tasks.publish(snapshotFile())));
    }
}
