package dev.warmstart.snapshot.plugin;

import dev.warmstart.snapshot.plugin.build.BuildResult;
import dev.warmstart.snapshot.plugin.build.BuildSettings;
import dev.warmstart.snapshot.plugin.build.Provenance;
import dev.warmstart.snapshot.plugin.build.SelfCheckException;
import dev.warmstart.snapshot.plugin.build.SnapshotBuilder;
import dev.warmstart.snapshot.plugin.dify.DifyVersionPolicy;
import dev.warmstart.snapshot.plugin.input.InputProblemsException;
import dev.warmstart.snapshot.plugin.input.InputSettings;
import dev.warmstart.snapshot.plugin.input.Problem;
import dev.warmstart.snapshot.writer.SigningKeyException;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import java.io.File;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Compiles the project's config files, prompt templates and Dify app exports into a verified, reproducible
 * snapshot tar, and attaches it to the build (classifier {@code snapshot}, type {@code tar}), with its
 * {@code .sha256} sidecar (type {@code tar.sha256}), so that {@code mvn install} and {@code mvn deploy} carry both
 * beside the jar.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class BuildSnapshotMojo extends AbstractMojo {
    /** Artifact type of the attached {@code .sha256} sidecar: its file name is the tar's plus {@code .sha256}. */
    static final String SIDECAR_TYPE = "tar.sha256";

    /** Skips the goal. */
    @Parameter(property = SnapshotProperties.SKIP, defaultValue = "false")
    private boolean skip;

    /** Config files (YAML/JSON); each becomes config keys under a prefix made of its relative path. */
    @Parameter(
            property = SnapshotProperties.CONFIG_DIRECTORY,
            defaultValue = "${project.basedir}/src/main/snapshot/config")
    private File configDirectory;

    /** Prompt templates: {@code .prompt}, {@code .txt}, {@code .md} text, or YAML/JSON {@code {prompt, variables, metadata}}. */
    @Parameter(
            property = SnapshotProperties.PROMPTS_DIRECTORY,
            defaultValue = "${project.basedir}/src/main/snapshot/prompts")
    private File promptsDirectory;

    /** Dify app DSL exports ({@code .yml} as Dify's "Export DSL" writes them). */
    @Parameter(property = SnapshotProperties.APPS_DIRECTORY, defaultValue = "${project.basedir}/src/main/snapshot/apps")
    private File appsDirectory;

    /** Glob patterns of config files to read, relative to {@code configDirectory}. Default: YAML and JSON. */
    @Parameter
    private List<String> configIncludes;

    /** Glob patterns of config files to leave out. */
    @Parameter
    private List<String> configExcludes;

    /** Glob patterns of prompt files to read, relative to {@code promptsDirectory}. */
    @Parameter
    private List<String> promptIncludes;

    /** Glob patterns of prompt files to leave out. */
    @Parameter
    private List<String> promptExcludes;

    /** Glob patterns of Dify exports to read, relative to {@code appsDirectory}. */
    @Parameter
    private List<String> appIncludes;

    /** Glob patterns of Dify exports to leave out. */
    @Parameter
    private List<String> appExcludes;

    /**
     * Key paths (globs such as {@code apps.*.model.token_limit}) whose values the secret check must accept.
     * Use it for false positives only: real secrets belong in {@code ${env:NAME}} placeholders.
     */
    @Parameter
    private List<String> secretAllowlist;

    /** Largest YAML/JSON input accepted, in code points. */
    @Parameter(property = SnapshotProperties.MAX_INPUT_CODE_POINTS, defaultValue = "16777216")
    private int maxInputCodePoints;

    /**
     * What to do with a Dify export whose DSL version Dify itself imports only after the user confirms it: newer
     * than the newest version this plugin knows (0.7.0), or of another major version. {@code strict} fails the
     * build; {@code warn} accepts it, the build's confirm step, reading it as the newest known version with a
     * warning for each field the plugin does not know that looks like a prompt. An unparseable version always
     * fails.
     */
    @Parameter(property = SnapshotProperties.DIFY_VERSION_POLICY, defaultValue = "strict")
    private String difyVersionPolicy;

    /**
     * Accept inputs that are symbolic links (or lie under linked directories) resolving outside their input
     * directory. Off by default, so that a link such as {@code prompts/a.txt -> /etc/passwd} cannot bake a file
     * from elsewhere on the machine into the snapshot.
     */
    @Parameter(property = SnapshotProperties.FOLLOW_EXTERNAL_LINKS, defaultValue = "false")
    private boolean followExternalLinks;

    /** Where the snapshot, its {@code .sha256} sidecar and {@code registry.json} are written. */
    @Parameter(property = SnapshotProperties.OUTPUT_DIRECTORY, defaultValue = "${project.build.directory}/snapshot")
    private File outputDirectory;

    /** The snapshot file's name without {@code .tar}. */
    @Parameter(
            property = SnapshotProperties.FINAL_NAME,
            defaultValue = "${project.artifactId}-${project.version}-snapshot")
    private String finalName;

    /** Classifier of the attached artifact. */
    @Parameter(property = SnapshotProperties.CLASSIFIER, defaultValue = "snapshot")
    private String classifier;

    /** Attach the snapshot to the project, so install and deploy carry it. */
    @Parameter(property = SnapshotProperties.ATTACH, defaultValue = "true")
    private boolean attach;

    /** Digest of the container base image the service runs on, recorded in the metadata. */
    @Parameter(property = SnapshotProperties.BASE_IMAGE)
    private String baseImage;

    /** Fails the build on warnings too (unused declared variables, older Dify DSL versions...). */
    @Parameter(property = SnapshotProperties.FAIL_ON_WARNING, defaultValue = "false")
    private boolean failOnWarning;

    /**
     * Creation time for reproducible builds: ISO-8601 or seconds since the epoch. With it, identical inputs give
     * byte-identical snapshots.
     */
    @Parameter(defaultValue = "${" + SnapshotProperties.OUTPUT_TIMESTAMP + "}")
    private String outputTimestamp;

    /**
     * PKCS#8 PEM Ed25519 private key to sign the snapshot with ({@code openssl genpkey -algorithm ed25519}).
     * Without it, the PEM text of the environment variable {@code WARMSTART_SIGNING_KEY} is used when set;
     * with neither, the snapshot is unsigned. The key never appears in the log, the metadata or the tar.
     */
    @Parameter(property = "snapshot.signingKey")
    private File signingKey;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${plugin}", readonly = true, required = true)
    private PluginDescriptor plugin;

    @Component
    private MavenProjectHelper projectHelper;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping snapshot build (" + SnapshotProperties.SKIP + "=true)");
            return;
        }
        Instant timestamp;
        try {
            timestamp = BuildTimestamp.parse(outputTimestamp);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage(), e);
        }
        DifyVersionPolicy versionPolicy;
        try {
            versionPolicy = DifyVersionPolicy.parse(difyVersionPolicy);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException(e.getMessage());
        }
        InputSettings inputs = InputSettings.builder(project.getBasedir().toPath())
                .configDirectory(configDirectory.toPath())
                .promptsDirectory(promptsDirectory.toPath())
                .appsDirectory(appsDirectory.toPath())
                .configPatterns(configIncludes, configExcludes)
                .promptPatterns(promptIncludes, promptExcludes)
                .appPatterns(appIncludes, appExcludes)
                .secretAllowlist(secretAllowlist)
                .maxCodePoints(maxInputCodePoints)
                .difyVersionPolicy(versionPolicy)
                .followExternalLinks(followExternalLinks)
                .build();
        String coordinates = project.getGroupId() + ":" + project.getArtifactId() + ":" + project.getVersion();
        BuildSettings settings = new BuildSettings(
                inputs,
                outputDirectory.toPath(),
                finalName + ".tar",
                timestamp,
                Provenance.collect(coordinates, project.getBasedir().toPath(), baseImage, System::getenv),
                plugin.getVersion());
        BuildResult result;
        try {
            result = new SnapshotBuilder(getLog()::info)
                    .signWith(signer(signingKey))
                    .build(settings);
        } catch (InputProblemsException e) {
            for (Problem problem : e.problems()) {
                getLog().error(problem.toString());
            }
            throw new MojoFailureException("Snapshot inputs have "
                    + e.problems().size() + " problem(s); see the errors above. Fix them and build again.");
        } catch (SigningKeyException e) {
            throw new MojoFailureException(e.getMessage());
        } catch (SelfCheckException e) {
            throw new MojoExecutionException("The written snapshot failed its read-back check: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("Cannot build the snapshot: " + e.getMessage(), e);
        }
        for (Problem warning : result.warnings()) {
            getLog().warn(warning.toString());
        }
        if (failOnWarning && !result.warnings().isEmpty()) {
            throw new MojoFailureException(
                    result.warnings().size() + " warning(s) and " + SnapshotProperties.FAIL_ON_WARNING + " is set");
        }
        getLog().info(result.summary());
        if (attach) {
            projectHelper.attachArtifact(
                    project, "tar", classifier, result.file().toFile());
            // Maven's own repository checksums cover the tar in transit; the sidecar travels with it so a
            // consumer who downloads the tar alone (curl, a container build) can check it with sha256sum -c.
            projectHelper.attachArtifact(
                    project,
                    SIDECAR_TYPE,
                    classifier,
                    SnapshotBuilder.sidecar(result.file()).toFile());
        }
    }

    /** The signing key: the configured file, else the environment variable, else none. */
    private static SnapshotSigner signer(File keyFile) throws IOException {
        return SnapshotSigner.fromFileOrEnvironment(keyFile == null ? null : keyFile.toPath(), System::getenv)
                .orElse(null);
    }
}
