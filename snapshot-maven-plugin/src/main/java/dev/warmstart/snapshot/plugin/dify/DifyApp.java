package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.writer.PromptSource;
import java.util.List;
import java.util.Map;

/**
 * A Dify app export, compiled: its settings as a config tree and its prompts as templates.
 *
 * @param name the export's file name without extension
 * @param mode the app mode (chat, completion, agent-chat, advanced-chat, workflow, agent)
 * @param dslVersion the export's DSL version (0.1.0 when it has none)
 * @param configTree the settings stored under {@code apps.<name>}
 * @param prompts every prompt of the app
 * @param document the export as parsed (the inner YAML for an export API response)
 * @param nodeDataPaths for each node id, the path of its {@code data} in {@code document}
 */
public record DifyApp(
        String name,
        String mode,
        String dslVersion,
        Object configTree,
        List<AppPrompt> prompts,
        ParsedDocument document,
        Map<String, String> nodeDataPaths) {

    /**
     * @param configPath a path relative to {@link #configTree()}
     * @return the path of the same value in {@link #document()}: node data moved from
     *     {@code workflow.graph.nodes[i].data} to {@code workflow.nodes.<id>}; everything else keeps its path
     */
    public String documentPath(String configPath) {
        String nodesPrefix = "workflow.nodes.";
        if (configPath.startsWith(nodesPrefix)) {
            for (Map.Entry<String, String> node : nodeDataPaths.entrySet()) {
                String start = nodesPrefix + dev.warmstart.snapshot.format.ConfigPath.escapeSegment(node.getKey());
                if (configPath.equals(start)
                        || configPath.startsWith(start + ".")
                        || configPath.startsWith(start + "[")) {
                    return node.getValue() + configPath.substring(start.length());
                }
            }
        }
        return configPath;
    }

    /**
     * One prompt of the app.
     *
     * @param source the template, named {@code apps/<name>/...}
     * @param line the line of its text in the export (0 when unknown)
     * @param blockScalar whether the text is a YAML block scalar (starts on the next line)
     */
    public record AppPrompt(PromptSource source, int line, boolean blockScalar) {}
}
