package dev.warmstart.snapshot.plugin;

/**
 * The user properties the goals read ({@code -Dsnapshot.skip=true}...), named once: {@code @Parameter(property =
 * ...)} needs compile-time constants, and the goals share several of them.
 */
final class SnapshotProperties {
    // Every goal.
    static final String SKIP = "snapshot.skip";

    // snapshot:build
    static final String CONFIG_DIRECTORY = "snapshot.configDirectory";
    static final String PROMPTS_DIRECTORY = "snapshot.promptsDirectory";
    static final String APPS_DIRECTORY = "snapshot.appsDirectory";
    static final String MAX_INPUT_CODE_POINTS = "snapshot.maxInputCodePoints";
    static final String FOLLOW_EXTERNAL_LINKS = "snapshot.followExternalLinks";
    static final String DIFY_VERSION_POLICY = "snapshot.difyVersionPolicy";
    static final String OUTPUT_DIRECTORY = "snapshot.outputDirectory";
    static final String FINAL_NAME = "snapshot.finalName";
    static final String CLASSIFIER = "snapshot.classifier";
    static final String ATTACH = "snapshot.attach";
    static final String BASE_IMAGE = "snapshot.baseImage";
    static final String FAIL_ON_WARNING = "snapshot.failOnWarning";
    /** Maven's own property for reproducible builds, shared with the archivers. */
    static final String OUTPUT_TIMESTAMP = "project.build.outputTimestamp";

    // The store goals: publish, promote, rollback, history.
    static final String STORE = "snapshot.store";
    static final String FILE = "snapshot.file";
    static final String SERVER_ID = "snapshot.serverId";
    static final String FORCE = "snapshot.force";
    static final String ARTIFACT = "snapshot.artifact";
    static final String REPOSITORY = "snapshot.repository";
    static final String ID = "snapshot.id";
    static final String CHANNEL = "snapshot.channel";
    static final String PERCENT = "snapshot.percent";
    static final String ALLOWLIST = "snapshot.allowlist";
    static final String PINNABLE = "snapshot.pinnable";
    static final String GUARD = "snapshot.guard";
    static final String MAX_FAILURE_RATE = "snapshot.maxFailureRate";
    static final String WINDOW = "snapshot.window";
    static final String MIN_REQUESTS = "snapshot.minRequests";

    private SnapshotProperties() {}
}
