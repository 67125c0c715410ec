package dev.warmstart.snapshot.plugin;

import dev.warmstart.snapshot.plugin.store.StoreTasks;
import dev.warmstart.snapshot.store.Guard;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Sets a store's (a directory's or a remote store's) {@code stable} channel, or a canary with its routing rule, to a published snapshot. A snapshot
 * that fails verification is refused. Growing an existing canary keeps the users it already has.
 */
@Mojo(name = "promote", requiresProject = false, threadSafe = true)
public class PromoteMojo extends AbstractStoreMojo {
    /**
     * The snapshot id to promote. Default: the id of {@code snapshot.file}, the snapshot this build wrote (or of
     * {@code snapshot.artifact}, when given).
     */
    @Parameter(property = SnapshotProperties.ID)
    private String id;

    /** {@code stable}, or the name of a canary ({@code canary}, {@code canary-b}...). */
    @Parameter(property = SnapshotProperties.CHANNEL, defaultValue = "stable")
    private String channel;

    /** A canary's share of routing keys, 0 to 100 (steps of 0.01). */
    @Parameter(property = SnapshotProperties.PERCENT, defaultValue = "0")
    private double percent;

    /** User or tenant ids that always get the canary. */
    @Parameter(property = SnapshotProperties.ALLOWLIST)
    private List<String> allowlist;

    /** Whether requests may pin the canary's id explicitly (e.g. with an X-Snapshot-Version header). */
    @Parameter(property = SnapshotProperties.PINNABLE, defaultValue = "true")
    private boolean pinnable;

    /** Whether the channel gets an automatic-rollback guard. */
    @Parameter(property = SnapshotProperties.GUARD, defaultValue = "true")
    private boolean guard;

    /** The guard's threshold: the highest tolerated failure rate, in percent. */
    @Parameter(property = SnapshotProperties.MAX_FAILURE_RATE, defaultValue = "3")
    private double maxFailureRate;

    /** The guard's sliding window ({@code 5m}, {@code 30s}, {@code 1h} or ISO-8601). */
    @Parameter(property = SnapshotProperties.WINDOW, defaultValue = "5m")
    private String window;

    /** The fewest requests in the window before the failure rate counts. */
    @Parameter(property = SnapshotProperties.MIN_REQUESTS, defaultValue = "100")
    private long minRequests;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Guard g;
        try {
            g = guard ? Guard.of(maxFailureRate, window, minRequests) : null;
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("snapshot:promote: " + e.getMessage());
        }
        Set<String> allow = allowlist == null ? null : new LinkedHashSet<>(allowlist);
        run(
                "promote",
                tasks -> tasks.promote(
                        id, id == null || id.isBlank() ? snapshotFile() : null, channel, percent, allow, pinnable, g),
                remote -> {
                    String target = id != null && !id.isBlank() ? id : StoreTasks.idOf(snapshotFile());
                    remote.change(
                            List.of(target),
                            false,
                            tasks -> tasks.promote(target, null, channel, percent, allow, pinnable, g));
                });
    }
}
