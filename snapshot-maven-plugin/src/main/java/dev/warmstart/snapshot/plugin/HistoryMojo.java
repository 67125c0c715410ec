package dev.warmstart.snapshot.plugin;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Prints a store's channels, every snapshot's status, and every revision of its registry (for a remote store,
 * every revision still on the server).
 */
@Mojo(name = "history", requiresProject = false, threadSafe = true)
public class HistoryMojo extends AbstractStoreMojo {
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        run("history", tasks -> tasks.history(), remote -> remote.history());
    }
}
