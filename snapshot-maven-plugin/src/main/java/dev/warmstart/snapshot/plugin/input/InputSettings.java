package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.plugin.dify.DifyVersionPolicy;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the inputs are and how they are validated.
 *
 * @param baseDirectory the project directory (paths in messages are relative to it)
 * @param configDirectory YAML/JSON config files
 * @param promptsDirectory prompt templates
 * @param appsDirectory Dify app exports
 * @param configIncludes globs of config files to read, relative to {@code configDirectory}
 * @param configExcludes globs of config files to skip
 * @param promptIncludes globs of prompt files to read
 * @param promptExcludes globs of prompt files to skip
 * @param appIncludes globs of Dify exports to read
 * @param appExcludes globs of Dify exports to skip
 * @param secretAllowlist key-path globs the secret check accepts
 * @param maxCodePoints the largest YAML/JSON input accepted
 * @param difyVersionPolicy what to do with a Dify export whose DSL version Dify would import only after the user
 *     confirms it (newer than the plugin knows, or another major version)
 * @param followExternalLinks whether inputs may resolve (through symbolic links) outside their input directory
 */
public record InputSettings(
        Path baseDirectory,
        Path configDirectory,
        Path promptsDirectory,
        Path appsDirectory,
        List<String> configIncludes,
        List<String> configExcludes,
        List<String> promptIncludes,
        List<String> promptExcludes,
        List<String> appIncludes,
        List<String> appExcludes,
        List<String> secretAllowlist,
        int maxCodePoints,
        DifyVersionPolicy difyVersionPolicy,
        boolean followExternalLinks) {

    /** Where the config files are by convention, relative to the project directory. */
    public static final String DEFAULT_CONFIG_DIRECTORY = "src/main/snapshot/config";
    /** Where the prompt templates are by convention. */
    public static final String DEFAULT_PROMPTS_DIRECTORY = "src/main/snapshot/prompts";
    /** Where the Dify exports are by convention. */
    public static final String DEFAULT_APPS_DIRECTORY = "src/main/snapshot/apps";

    /** Default config globs. */
    public static final List<String> DEFAULT_CONFIG_INCLUDES = List.of("**/*.yml", "**/*.yaml", "**/*.json");
    /** Default prompt globs. */
    public static final List<String> DEFAULT_PROMPT_INCLUDES =
            List.of("**/*.prompt", "**/*.txt", "**/*.md", "**/*.yml", "**/*.yaml", "**/*.json");
    /** Default Dify export globs. */
    public static final List<String> DEFAULT_APP_INCLUDES = List.of("**/*.yml", "**/*.yaml", "**/*.json");

    /**
     * @return the text a record's generated {@code toString} gives ({@code InputSettings[baseDirectory=..., ...]}),
     *     which the build's up-to-date fingerprint holds, built by reflection: the generated method's first call
     *     bootstraps some fifty method-handle classes, and the JIT work they bring cost a fresh JVM about a
     *     second of compiler time on every build
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("InputSettings[");
        RecordComponent[] components = InputSettings.class.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            Object value;
            try {
                value = components[i].getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            b.append(i == 0 ? "" : ", ")
                    .append(components[i].getName())
                    .append('=')
                    .append(value);
        }
        return b.append(']').toString();
    }

    /** @return a builder with the conventional directories under {@code baseDirectory} */
    public static Builder builder(Path baseDirectory) {
        return new Builder(baseDirectory);
    }

    /** Builds {@link InputSettings}; null lists mean the defaults. */
    public static final class Builder {
        private final Path base;
        private Path config;
        private Path prompts;
        private Path apps;
        private List<String> configIncludes;
        private List<String> configExcludes;
        private List<String> promptIncludes;
        private List<String> promptExcludes;
        private List<String> appIncludes;
        private List<String> appExcludes;
        private List<String> secretAllowlist;
        private int maxCodePoints = StructuredFileReader.DEFAULT_MAX_CODE_POINTS;
        private DifyVersionPolicy difyVersionPolicy = DifyVersionPolicy.STRICT;
        private boolean followExternalLinks;

        private Builder(Path base) {
            this.base = base;
            this.config = base.resolve(DEFAULT_CONFIG_DIRECTORY);
            this.prompts = base.resolve(DEFAULT_PROMPTS_DIRECTORY);
            this.apps = base.resolve(DEFAULT_APPS_DIRECTORY);
        }

        /** @return this, with the config directory set */
        public Builder configDirectory(Path dir) {
            this.config = dir;
            return this;
        }

        /** @return this, with the prompts directory set */
        public Builder promptsDirectory(Path dir) {
            this.prompts = dir;
            return this;
        }

        /** @return this, with the Dify apps directory set */
        public Builder appsDirectory(Path dir) {
            this.apps = dir;
            return this;
        }

        /** @return this, with config include/exclude globs set (null = default) */
        public Builder configPatterns(List<String> includes, List<String> excludes) {
            this.configIncludes = includes;
            this.configExcludes = excludes;
            return this;
        }

        /** @return this, with prompt include/exclude globs set (null = default) */
        public Builder promptPatterns(List<String> includes, List<String> excludes) {
            this.promptIncludes = includes;
            this.promptExcludes = excludes;
            return this;
        }

        /** @return this, with Dify export include/exclude globs set (null = default) */
        public Builder appPatterns(List<String> includes, List<String> excludes) {
            this.appIncludes = includes;
            this.appExcludes = excludes;
            return this;
        }

        /** @return this, with the secret allowlist set */
        public Builder secretAllowlist(List<String> globs) {
            this.secretAllowlist = globs;
            return this;
        }

        /** @return this, with the input size limit set */
        public Builder maxCodePoints(int limit) {
            this.maxCodePoints = limit;
            return this;
        }

        /** @return this, with the Dify DSL version policy set (null = strict) */
        public Builder difyVersionPolicy(DifyVersionPolicy policy) {
            this.difyVersionPolicy = policy == null ? DifyVersionPolicy.STRICT : policy;
            return this;
        }

        /** @return this, accepting or refusing inputs that resolve outside their input directory */
        public Builder followExternalLinks(boolean follow) {
            this.followExternalLinks = follow;
            return this;
        }

        /** @return the settings */
        public InputSettings build() {
            return new InputSettings(
                    base,
                    config,
                    prompts,
                    apps,
                    orDefault(configIncludes, DEFAULT_CONFIG_INCLUDES),
                    orDefault(configExcludes, List.of()),
                    orDefault(promptIncludes, DEFAULT_PROMPT_INCLUDES),
                    orDefault(promptExcludes, List.of()),
                    orDefault(appIncludes, DEFAULT_APP_INCLUDES),
                    orDefault(appExcludes, List.of()),
                    orDefault(secretAllowlist, List.of()),
                    maxCodePoints,
                    difyVersionPolicy,
                    followExternalLinks);
        }

        private static List<String> orDefault(List<String> value, List<String> dflt) {
            return value == null || value.isEmpty() ? dflt : List.copyOf(value);
        }
    }
}
