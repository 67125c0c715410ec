package dev.warmstart.snapshot.plugin;

import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Sets a store's {@code stable} channel back to the previous stable snapshot, or to {@code snapshot.id}; the
 * snapshot it replaces is marked {@code rolled-back}. With {@code snapshot.channel} naming a canary, stops that
 * canary instead.
 */
@Mojo(name = "rollback", requiresProject = false, threadSafe = true)
public class RollbackMojo extends AbstractStoreMojo {
    /** The snapshot to make stable again. Default: the previous stable. */
    @Parameter(property = SnapshotProperties.ID)
    private String id;

    /** {@code stable}, or the name of a canary to stop. */
    @Parameter(property = SnapshotProperties.CHANNEL, defaultValue = "stable")
    private String channel;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        boolean toId = id != null && !id.isBlank();
        if (channel != null && !channel.equals("stable")) {
            run(
                    "rollback",
                    tasks -> tasks.removeCanary(channel),
                    remote -> remote.change(List.of(), false, tasks -> tasks.removeCanary(channel)));
        } else {
            run(
                    "rollback",
                    tasks -> tasks.rollback(id),
                    remote -> remote.change(toId ? List.of(id) : List.of(), !toId, tasks -> tasks.rollback(id)));
        }
    }
}
