package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problems;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * For an export newer than the plugin knows, accepted under {@link DifyVersionPolicy#WARN}: names each field the
 * plugin has no mapping for that looks like it holds a prompt, so the user knows what the snapshot lacks. Such a
 * field still goes into the config; it is not compiled as a template.
 */
final class UnknownFields {
    /** Top-level keys of the DSL up to 0.7.0. */
    static final Set<String> KNOWN_TOP_LEVEL = Set.of(
            "app",
            "kind",
            "version",
            "model_config",
            "workflow",
            "dependencies",
            "agent",
            "agent_packages",
            "omitted_assets");
    /** Node types up to DSL 0.7.0, whether or not they hold prompts. */
    static final Set<String> KNOWN_NODE_TYPES = Set.of(
            "start",
            "end",
            "answer",
            "llm",
            "knowledge-retrieval",
            "question-classifier",
            "if-else",
            "code",
            "template-transform",
            "http-request",
            "tool",
            "variable-aggregator",
            "variable-assigner",
            "assigner",
            "parameter-extractor",
            "iteration",
            "iteration-start",
            "loop",
            "loop-start",
            "loop-end",
            "document-extractor",
            "list-operator",
            "agent",
            "human-input",
            "datasource",
            "knowledge-index",
            "trigger-webhook",
            "trigger-schedule",
            "trigger-plugin",
            "custom-note");

    private UnknownFields() {}

    static void warn(Map<?, ?> root, ParsedDocument doc, Problems problems) {
        root.forEach((k, v) -> {
            if (!KNOWN_TOP_LEVEL.contains(k.toString())) {
                scan(v, ConfigPath.child("", k.toString()), doc, problems);
            }
        });
        if (root.get("workflow") instanceof Map<?, ?> workflow
                && workflow.get("graph") instanceof Map<?, ?> graph
                && graph.get("nodes") instanceof List<?> nodes) {
            for (int n = 0; n < nodes.size(); n++) {
                if (nodes.get(n) instanceof Map<?, ?> node
                        && node.get("data") instanceof Map<?, ?> data
                        && !KNOWN_NODE_TYPES.contains(String.valueOf(data.get("type")))) {
                    scan(data, "workflow.graph.nodes[" + n + "].data", doc, problems);
                }
            }
        }
    }

    private static void scan(Object value, String path, ParsedDocument doc, Problems problems) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> scan(v, ConfigPath.child(path, k.toString()), doc, problems));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                scan(list.get(i), ConfigPath.index(path, i), doc, problems);
            }
        } else if (value instanceof String text && looksLikePrompt(path, text)) {
            problems.warning(
                    doc.file(),
                    doc.line(path),
                    0,
                    "'" + path + "' is a field this plugin does not know and it looks like a prompt; it is kept as"
                            + " config, not compiled as a template (upgrade snapshot-maven-plugin to have it"
                            + " compiled)");
        }
    }

    /** Template markers, or a key that names a prompt. */
    static boolean looksLikePrompt(String path, String text) {
        if (text.contains("{{") || text.contains("{%") || text.contains("[§")) {
            return true;
        }
        String key = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return !text.isBlank() && (key.contains("prompt") || key.contains("instruction") || key.contains("template"));
    }
}
