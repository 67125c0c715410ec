package dev.warmstart.snapshot.plugin;

import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.plugin.store.DeployedSnapshot;
import dev.warmstart.snapshot.plugin.store.RemoteStoreTasks;
import dev.warmstart.snapshot.plugin.store.StoreAccess;
import dev.warmstart.snapshot.plugin.store.StoreLocation;
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
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * What the store goals share: the store (a directory or an http(s) URL), its credentials, the skip switch, the
 * snapshot to use (built, or deployed and fetched by coordinates), and turning refusals into build failures.
 */
abstract class AbstractStoreMojo extends AbstractMojo {
    /**
     * The snapshot store: a directory holding {@code registry.json} and the snapshots (docs/store.md), or the
     * {@code http://} or {@code https://} base URL of a remote store, changed under the server's WebDAV lock
     * (docs/distribution.md).
     */
    @Parameter(property = SnapshotProperties.STORE, required = true)
    protected String store;

    /**
     * For a remote store: the id of the {@code <server>} in {@code settings.xml} whose credentials to send
     * ({@code <username>} and {@code <password>}: basic; {@code <password>} alone: a bearer token; encrypted
     * passwords work). Without it: {@code WARMSTART_STORE_TOKEN}, or {@code WARMSTART_STORE_USER} and
     * {@code WARMSTART_STORE_PASSWORD}, or {@code WARMSTART_STORE_CREDENTIALS} (a properties file).
     */
    @Parameter(property = SnapshotProperties.SERVER_ID)
    protected String serverId;

    /**
     * For a remote store whose server offers neither a WebDAV LOCK nor conditional PUT: write anyway. Only when one writer can ever run: two
     * pipelines writing at once could then lose an update.
     */
    @Parameter(property = SnapshotProperties.FORCE, defaultValue = "false")
    protected boolean force;

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

    /**
     * Instead of {@code snapshot.file}: the deployed snapshot artifact, {@code groupId:artifactId:version} (or
     * {@code ...:version:classifier}; type {@code tar}, classifier {@code snapshot}), fetched from the repository
     * by Maven with its usual checksum checks and credentials — so a pipeline publishes exactly what it deployed.
     */
    @Parameter(property = SnapshotProperties.ARTIFACT)
    protected String artifact;

    /**
     * The repository to fetch {@code snapshot.artifact} from, in the forms of {@code altDeploymentRepository}:
     * {@code id::default::url}, {@code id::url}, or a URL (the id picks the settings.xml server's credentials).
     * Default: the repositories of the project and the active settings profiles.
     */
    @Parameter(property = SnapshotProperties.REPOSITORY)
    protected String repository;

    /**
     * Comma-separated PEM files of trusted Ed25519 public keys: with them, publish and promote refuse a snapshot
     * that is unsigned, signed by another key, or whose signature does not match its content.
     */
    @Parameter(property = "snapshot.trust")
    protected String trust;

    @Parameter(defaultValue = "${basedir}", readonly = true)
    private File basedir;

    @Parameter(defaultValue = "${settings}", readonly = true)
    private Settings settings;

    @Parameter(defaultValue = "${repositorySystemSession}", readonly = true)
    private RepositorySystemSession repositorySession;

    @Parameter(defaultValue = "${project.remoteProjectRepositories}", readonly = true)
    private List<RemoteRepository> remoteRepositories;

    @Component
    private SettingsDecrypter settingsDecrypter;

    @Component
    private RepositorySystem repositorySystem;

    /** One store operation on a store directory. */
    interface Task {
        void run(StoreTasks tasks) throws IOException, StoreTaskException;
    }

    /** The same operation on a remote store. */
    interface RemoteTask {
        void run(RemoteStoreTasks tasks) throws IOException, StoreTaskException;
    }

    /**
     * Runs {@code local} on a store directory, or {@code remote} on a store URL: a refusal fails the build with its
     * message, an I/O error is an error.
     */
    protected void run(String name, Task local, RemoteTask remote) throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping snapshot:" + name + " (" + SnapshotProperties.SKIP + "=true)");
            return;
        }
        StoreLocation location = null;
        try {
            location = StoreLocation.parse(store, basedir == null ? Path.of("") : basedir.toPath());
            if (location.remote()) {
                remote.run(new RemoteStoreTasks(
                        location.url(),
                        StoreAccess.settings(serverId, server(serverId), System.getenv()),
                        force,
                        getLog()::info,
                        trustPolicy()));
            } else {
                local.run(new StoreTasks(location.directory(), getLog()::info).withTrust(trustPolicy()));
            }
        } catch (StoreTaskException | IllegalArgumentException e) {
            throw new MojoFailureException("snapshot:" + name + " refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException(
                    "snapshot:" + name + " cannot use the store " + (location == null ? store : location) + ": " + e,
                    e);
        }
    }

    /**
     * @return the snapshot to use: {@code snapshot.artifact} fetched from the repository when given, else
     *     {@code snapshot.file}
     */
    protected Path snapshotFile() throws StoreTaskException {
        if (artifact == null || artifact.isBlank()) {
            return file == null ? null : file.toPath();
        }
        DeployedSnapshot wanted = DeployedSnapshot.parse(artifact);
        List<RemoteRepository> repositories = repositories();
        try {
            File resolved = repositorySystem
                    .resolveArtifact(
                            repositorySession,
                            new ArtifactRequest(
                                    new DefaultArtifact(
                                            wanted.groupId(),
                                            wanted.artifactId(),
                                            wanted.classifier(),
                                            DeployedSnapshot.TYPE,
                                            wanted.version()),
                                    repositories,
                                    null))
                    .getArtifact()
                    .getFile();
            getLog().info("Fetched " + wanted + " from " + describe(repositories) + ": " + resolved);
            return resolved.toPath();
        } catch (ArtifactResolutionException e) {
            throw new StoreTaskException(
                    "cannot fetch the snapshot " + wanted + " from " + describe(repositories) + ": " + e.getMessage()
                            + "; deploy it first (mvn deploy), or name the repository it was deployed to with"
                            + " -Dsnapshot.repository=id::default::url",
                    e);
        }
    }

    private List<RemoteRepository> repositories() throws StoreTaskException {
        if (repository == null || repository.isBlank()) {
            return remoteRepositories == null ? List.of() : remoteRepositories;
        }
        DeployedSnapshot.Repository spec = DeployedSnapshot.Repository.parse(repository);
        RemoteRepository plain =
                new RemoteRepository.Builder(spec.id(), "default", spec.url().toString()).build();
        // the same mirrors, proxies and settings.xml credentials Maven applies to every repository
        RemoteRepository mirror = repositorySession.getMirrorSelector().getMirror(plain);
        RemoteRepository chosen = mirror != null ? mirror : plain;
        return List.of(new RemoteRepository.Builder(chosen)
                .setAuthentication(repositorySession.getAuthenticationSelector().getAuthentication(chosen))
                .setProxy(repositorySession.getProxySelector().getProxy(chosen))
                .build());
    }

    private static String describe(List<RemoteRepository> repositories) {
        List<String> names = new ArrayList<>();
        repositories.forEach(r -> names.add(r.getId() + " (" + r.getUrl() + ")"));
        return names.isEmpty() ? "the local repository" : String.join(", ", names);
    }

    /** The settings.xml server {@code id}, its password decrypted, or null when there is none. */
    private StoreAccess.Server server(String id) throws StoreTaskException {
        if (id == null || id.isBlank() || settings == null) {
            return null;
        }
        Server server = settings.getServer(id);
        if (server == null) {
            return null;
        }
        if (settingsDecrypter != null) {
            SettingsDecryptionResult result = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
            for (SettingsProblem problem : result.getProblems()) {
                if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
                    // the problem's message names the server, never the password
                    throw new StoreTaskException("cannot decrypt the password of the settings.xml server '" + id + "': "
                            + problem.getMessage());
                }
            }
            server = result.getServer();
        }
        return new StoreAccess.Server(id, server.getUsername(), server.getPassword());
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
