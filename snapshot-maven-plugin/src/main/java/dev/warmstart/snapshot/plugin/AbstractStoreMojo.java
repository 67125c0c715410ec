package dev.warmstart.snapshot.plugin;

import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.plugin.store.StoreTaskException;
import dev.warmstart.snapshot.plugin.store.StoreTasks;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/** What the store goals share: the store directory, the skip switch, and turning refusals into build failures. */
abstract class AbstractStoreMojo extends AbstractMojo {
    /** The snapshot store: a directory holding {@code registry.json} and the snapshots (docs/store.md). */
    @Parameter(property = SnapshotProperties.STORE, required = true)
    protected File store;

    /** Skips the goal. */
    @Parameter(property = SnapshotProperties.SKIP, defaultValue = "false")
    protected boolean skip;

    /**
     * The snapshot the build wrote: what {@code publish} copies, and what {@code promote} promotes when no
     * {@code snapshot.id} is given.
     */
    @Parameter(
            property = SnapshotProperties.FILE,
            defaultValue = "${project.build.directory}/snapshot/${project.artifactId}-${project.version}-snapshot.tar")
    protected File file;

    /** One store operation. */
    /**
     * Comma-separated PEM files of trusted Ed25519 public keys: with them, publish and promote refuse a snapshot
     * that is unsigned, signed by another key, or whose signature does not match its content.
     */
    @Parameter(property = "snapshot.trust")
    protected String trust;

    interface Task {
        void run(StoreTasks tasks) throws IOException, StoreTaskException;
    }

    /** Runs {@code task} on the store: a refusal fails the build with its message, an I/O error is an error. */
    protected void run(String name, Task task) throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping snapshot:" + name + " (" + SnapshotProperties.SKIP + "=true)");
            return;
        }
        try {
            task.run(new StoreTasks(store.toPath(), getLog()::info).withTrust(trustPolicy()));
        } catch (StoreTaskException | IllegalArgumentException e) {
            throw new MojoFailureException("snapshot:" + name + " refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("snapshot:" + name + " cannot use the store " + store + ": " + e, e);
        }
    }

    /** The trust policy of {@link #trust}, or null when no key is given. */
    private TrustPolicy trustPolicy() throws IOException {
        if (trust == null || trust.isBlank()) {
            return null;
        }
        List<Path> files = new ArrayList<>();
        for (String f : trust.split(",")) {
            if (!f.isBlank()) {
                files.add(Path.of(f.strip()));
            }
        }
        return TrustPolicy.fromPemFiles(files);
    }
}
