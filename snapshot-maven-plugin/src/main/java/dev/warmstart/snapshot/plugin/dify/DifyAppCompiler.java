package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problems;
import dev.warmstart.snapshot.plugin.input.StructuredFileReader;
import dev.warmstart.snapshot.writer.PromptSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles a Dify app DSL export (what Dify's "Export DSL" writes, or its export API's {@code {"data": "<yaml>"}}
 * response) into config and prompt templates. The mapping is specified in {@code docs/dify.md}.
 *
 * <p>This class checks the export's kind, version and mode and assembles the config; the prompts come from
 * {@link ModelConfigPrompts} and {@link WorkflowNodePrompts}, the workflow's config from {@link WorkflowConfig},
 * and {@link PromptReferences} checks what the prompts refer to.
 */
public final class DifyAppCompiler {
    /**
     * Newest DSL version this compiler knows ({@code CURRENT_APP_DSL_VERSION} of Dify 1.16 and later; Dify 1.15
     * writes 0.6.0). Dify's rule and confirm step are followed, see {@link DslVersionRule} and
     * {@link DifyVersionPolicy}.
     */
    public static final String NEWEST_KNOWN_DSL_VERSION = "0.7.0";
    /** The version an export without one is taken to have, as Dify does. */
    public static final String DEFAULT_DSL_VERSION = "0.1.0";
    /** App modes Dify exports. */
    public static final Set<String> MODES =
            Set.of("chat", "completion", "agent-chat", "advanced-chat", "workflow", "agent");
    /**
     * Namespaces a {@code {{#x.y#}}} reference may use without a node of that id: Dify's system, environment and
     * conversation variables, and the knowledge pipeline's.
     */
    public static final Set<String> RESERVED_NAMESPACES = Set.of("sys", "env", "conversation", "rag");

    /** App keys that only Dify's UI uses. */
    private static final Set<String> UI_APP_KEYS =
            Set.of("icon", "icon_background", "icon_type", "icon_url", "use_icon_as_answer_icon");

    private final StructuredFileReader reader;
    private final DifyVersionPolicy versionPolicy;

    /**
     * @param reader parses the YAML inside {@code {"data": ...}} files
     * @param versionPolicy what to do with a version Dify would only import after the user confirms it
     */
    public DifyAppCompiler(StructuredFileReader reader, DifyVersionPolicy versionPolicy) {
        this.reader = reader;
        this.versionPolicy = versionPolicy;
    }

    /** @param reader parses the YAML inside {@code {"data": ...}} files; versions are checked strictly */
    public DifyAppCompiler(StructuredFileReader reader) {
        this(reader, DifyVersionPolicy.STRICT);
    }

    /** A compiler with default parsing limits and the strict version policy. */
    public DifyAppCompiler() {
        this(new StructuredFileReader());
    }

    /**
     * Compiles one export.
     *
     * @param appName the export's file name without extension
     * @param document the parsed file
     * @param problems receives every problem, with file and line
     * @return the app, or null when it cannot be compiled
     */
    public DifyApp compile(String appName, ParsedDocument document, Problems problems) {
        Path file = document.file();
        ParsedDocument doc = unwrapExportApiResponse(document, problems);
        if (doc == null) {
            return null;
        }
        if (!(doc.root() instanceof Map<?, ?> root)) {
            problems.error(
                    file,
                    doc.line(""),
                    0,
                    "a Dify export is a mapping with 'app' and 'workflow' or "
                            + "'model_config'; this file is not one");
            return null;
        }
        Object kind = root.get("kind");
        if ("rag_pipeline".equals(kind)) {
            problems.error(
                    file,
                    doc.line("kind"),
                    0,
                    "kind 'rag_pipeline' is a Dify knowledge (RAG) pipeline DSL, not an app export; this plugin"
                            + " compiles app exports (kind: app) only: move the file out of the apps directory or"
                            + " leave it out with <appExcludes>");
            return null;
        }
        if (kind != null && !"app".equals(kind)) {
            problems.error(file, doc.line("kind"), 0, "kind '" + kind + "' is not a Dify app export (kind: app)");
            return null;
        }
        // As Dify's importer: a missing or empty version is the first one.
        String version =
                root.get("version") == null || root.get("version").toString().isEmpty()
                        ? DEFAULT_DSL_VERSION
                        : root.get("version").toString();
        DslVersionRule.Outcome outcome =
                DslVersionRule.check(version, versionPolicy, file, doc.line("version"), problems);
        if (outcome == DslVersionRule.Outcome.REFUSED) {
            return null;
        }
        if (!(root.get("app") instanceof Map<?, ?> app)) {
            problems.error(file, 0, 0, "the export has no 'app' section; export the app again from Dify");
            return null;
        }
        String mode = String.valueOf(app.get("mode"));
        if (!MODES.contains(mode)) {
            problems.error(
                    file,
                    doc.line("app.mode"),
                    0,
                    "app mode '" + mode + "' is not one of " + new TreeMap<>(Map.of("modes", MODES)).get("modes"));
            return null;
        }

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dsl_version", version);
        Map<String, Object> appConfig = new LinkedHashMap<>();
        app.forEach((k, v) -> {
            if (!UI_APP_KEYS.contains(k)) {
                appConfig.put(k.toString(), v);
            }
        });
        config.put("app", appConfig);
        if (root.get("dependencies") instanceof List<?> deps) {
            config.put("dependencies", deps);
        }
        if (outcome == DslVersionRule.Outcome.ACCEPTED_AS_NEWEST) {
            config.put("read_as_dsl_version", NEWEST_KNOWN_DSL_VERSION);
            UnknownFields.warn(root, doc, problems);
        }

        List<DifyApp.AppPrompt> prompts = new ArrayList<>();
        PromptCollector collector = new PromptCollector(appName, doc, prompts);
        if (root.get("model_config") instanceof Map<?, ?> modelConfig) {
            config.put("model_config", modelConfig);
            ModelConfigPrompts.collect(modelConfig, collector);
        }
        Map<String, String> nodeDataPaths = new LinkedHashMap<>();
        if (root.get("workflow") instanceof Map<?, ?> workflow) {
            config.put("workflow", WorkflowConfig.of(workflow, nodeDataPaths));
            if (workflow.get("features") instanceof Map<?, ?> features) {
                collector.add(
                        "opening_statement",
                        features.get("opening_statement"),
                        "workflow.features.opening_statement",
                        PromptSyntax.DIFY,
                        Map.of());
            }
            WorkflowNodePrompts.collect(workflow, collector);
        }
        if (root.get("omitted_assets") instanceof List<?> omitted) {
            config.put("omitted_assets", omitted);
        }
        AgentPackages packages = AgentPackages.read(root, doc, problems);
        packages.addTo(config, collector);
        if ("agent".equals(mode)) {
            if (!packages.compileAgentApp(root, doc, config, collector, problems)) {
                return null;
            }
        } else if (!root.containsKey("model_config") && !root.containsKey("workflow")) {
            problems.error(file, 0, 0, "the export has neither 'model_config' nor 'workflow'; export the app again");
            return null;
        }
        if (root.get("workflow") instanceof Map<?, ?> workflow) {
            NewNodes.compile(workflow, packages, collector, nodeDataPaths.keySet(), doc, problems);
        }
        PromptReferences.check(appName, prompts, nodeDataPaths.keySet(), file, problems);
        return new DifyApp(appName, mode, version, config, prompts, doc, nodeDataPaths);
    }

    private ParsedDocument unwrapExportApiResponse(ParsedDocument document, Problems problems) {
        if (document.root() instanceof Map<?, ?> map && map.size() == 1 && map.get("data") instanceof String yaml) {
            return reader.readYamlText(document.file(), yaml, problems);
        }
        return document;
    }

    /** Gathers non-empty prompt texts with their location. */
    static final class PromptCollector {
        private final String appName;
        private final ParsedDocument doc;
        private final List<DifyApp.AppPrompt> prompts;
        private final Set<String> names = new LinkedHashSet<>();

        PromptCollector(String appName, ParsedDocument doc, List<DifyApp.AppPrompt> prompts) {
            this.appName = appName;
            this.doc = doc;
            this.prompts = prompts;
        }

        void add(String suffix, Object text, String path, PromptSyntax syntax, Map<String, String> metadata) {
            if (!(text instanceof String s) || s.isEmpty()) {
                return;
            }
            String name = "apps/" + appName + "/" + suffix;
            if (!names.add(name)) {
                return; // e.g. an opening statement in both model_config and features: the first wins
            }
            Map<String, String> meta = new TreeMap<>(metadata);
            meta.put("source", "dify");
            meta.put("dify.path", path);
            prompts.add(new DifyApp.AppPrompt(
                    new PromptSource(name, s, syntax, null, meta), doc.line(path), doc.isBlockScalar(path)));
        }

        /** @return a chat message's role as prompt metadata, none when the message names no role */
        static Map<String, String> roleOf(Map<?, ?> message) {
            return message.get("role") == null
                    ? Map.of()
                    : Map.of("role", message.get("role").toString());
        }
    }

    /**
     * The app's name: the export's file name without its extension, stripped of surrounding white space (a file
     * saved as {@code "Deep Researcher On Dify .yml"} is the app {@code "Deep Researcher On Dify"}), so keys and
     * prompt names carry no stray spaces. Two files that differ only in such spaces then claim the same name and
     * the build's collision check reports both.
     *
     * @return the name, or null after reporting a file name that is nothing but white space
     */
    public static String appName(Path file, Problems problems) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String name = (dot > 0 ? fileName.substring(0, dot) : fileName).strip();
        if (name.isEmpty()) {
            problems.error(file, 0, 0, "the file name gives the app no name; rename the export, e.g. to my-app.yml");
            return null;
        }
        return name;
    }

    /** @return the config path of a key under the app's prefix, for messages */
    static String configPath(String appName, String path) {
        return ConfigPath.join(ConfigPath.child("apps", appName), path);
    }
}
