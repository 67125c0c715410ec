package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problems;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prompt-bearing workflow nodes of DSL 0.6.0/0.7.0: the Agent v2 node ({@code type: agent},
 * {@code version: "2"}; Dify's {@code api/core/workflow/nodes/agent_v2/} and {@code WorkflowNodeJobConfig}) and the
 * Human Input node ({@code type: human-input}; {@code api/core/workflow/nodes/human_input/entities.py}).
 */
final class NewNodes {
    /**
     * A Human Input form's own fields, {@code {{#$output.name#}}} (Dify's source spells it {@code $outputs}; both
     * are accepted). Dify's variable grammar does not match them, so they stay literal text in the template: the
     * form renderer, not the template engine, fills them.
     */
    static final Pattern FORM_FIELD = Pattern.compile("\\{\\{#\\$outputs?\\.([a-zA-Z_][a-zA-Z0-9_]{0,29})#\\}\\}");
    /** A prompt mention, {@code [§kind:id[:label]§]} (Dify's {@code api/services/agent/prompt_mentions.py}). */
    static final Pattern MENTION = Pattern.compile("\\[§([a-z_]+):([^:§]+?)(?::([^§]*?))?§\\]");

    private NewNodes() {}

    static void compile(
            Map<?, ?> workflow,
            AgentPackages packages,
            DifyAppCompiler.PromptCollector collector,
            Set<String> nodeIds,
            ParsedDocument doc,
            Problems problems) {
        for (WorkflowNode node : WorkflowNode.of(workflow)) {
            String id = node.id();
            String type = node.type();
            Map<?, ?> data = node.data();
            String at = node.at();
            Map<String, String> meta = node.newMeta();
            String base = "nodes/" + id + "/";
            if ("agent".equals(type) && "2".equals(String.valueOf(data.get("version")))) {
                agentV2(id, data, at, base, meta, packages, collector, nodeIds, doc, problems);
            } else if ("human-input".equals(type)) {
                humanInput(id, data, at, base, meta, collector, doc, problems);
            }
        }
    }

    private static void agentV2(
            String id,
            Map<?, ?> data,
            String at,
            String base,
            Map<String, String> nodeMeta,
            AgentPackages packages,
            DifyAppCompiler.PromptCollector collector,
            Set<String> nodeIds,
            ParsedDocument doc,
            Problems problems) {
        Map<String, String> meta = new TreeMap<>(nodeMeta);
        if (data.get("agent_binding") instanceof Map<?, ?> binding && binding.get("package_ref") != null) {
            String ref = binding.get("package_ref").toString();
            if (!packages.contains(ref)) {
                problems.error(
                        doc.file(),
                        doc.line(at + ".agent_binding.package_ref"),
                        0,
                        "Agent node " + id + " uses agent package '" + ref + "', which 'agent_packages' does not"
                                + " hold (Dify refuses this import too); export the app again from Dify");
            } else {
                meta.putAll(AgentPackages.metadata(ref, packages.get(ref)));
            }
        }
        if (!(data.get("agent_job") instanceof Map<?, ?> job)) {
            return;
        }
        if (job.get("mode") != null) {
            meta.put("agent_job.mode", job.get("mode").toString());
        }
        if (job.get("previous_node_output_refs") instanceof List<?> refs) {
            for (int i = 0; i < refs.size(); i++) {
                String node = selectorNode(refs.get(i));
                if (node != null && !nodeIds.contains(node) && !DifyAppCompiler.RESERVED_NAMESPACES.contains(node)) {
                    problems.error(
                            doc.file(),
                            doc.line(at + ".agent_job.previous_node_output_refs[" + i + "]"),
                            0,
                            "Agent node " + id + " reads the output of node '" + node + "' (previous_node_output_refs["
                                    + i + "]), but the app has no such node; fix it in Dify and export the app again");
                }
            }
        }
        Object prompt = job.get("workflow_prompt");
        collector.add(base + "workflow_prompt", prompt, at + ".agent_job.workflow_prompt", PromptSyntax.DIFY, meta);
        if (prompt instanceof String text) {
            Matcher m = MENTION.matcher(text);
            while (m.find()) {
                if (!"node_output".equals(m.group(1))) {
                    continue;
                }
                String ref = m.group(2);
                String node = ref.contains(".") ? ref.substring(0, ref.indexOf('.')) : ref;
                if (!nodeIds.contains(node) && !DifyAppCompiler.RESERVED_NAMESPACES.contains(node)) {
                    problems.error(
                            doc.file(),
                            doc.line(at + ".agent_job.workflow_prompt"),
                            0,
                            "prompt 'nodes/" + id + "/workflow_prompt' of node " + id + " mentions " + m.group()
                                    + ", but the app has no node '" + node
                                    + "'; fix the mention in Dify and export the app again");
                }
            }
        }
        if (job.get("declared_outputs") instanceof List<?> outputs) {
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i) instanceof Map<?, ?> output
                        && output.get("name") != null
                        && output.get("check") instanceof Map<?, ?> check) {
                    Map<String, String> checkMeta = new TreeMap<>(meta);
                    checkMeta.put("output.name", output.get("name").toString());
                    collector.add(
                            base + "outputs/" + output.get("name") + "/check_prompt",
                            check.get("prompt"),
                            at + ".agent_job.declared_outputs[" + i + "].check.prompt",
                            PromptSyntax.DIFY,
                            checkMeta);
                }
            }
        }
    }

    /** The node id of a previous-node-output reference: its selector's first element, or its {@code node_id}. */
    private static String selectorNode(Object ref) {
        if (!(ref instanceof Map<?, ?> r)) {
            return null;
        }
        for (String key : List.of("selector", "variable_selector", "value_selector")) {
            if (r.get(key) instanceof List<?> selector && selector.size() >= 2) {
                return String.valueOf(selector.get(0));
            }
        }
        return r.get("node_id") == null ? null : r.get("node_id").toString();
    }

    private static void humanInput(
            String id,
            Map<?, ?> data,
            String at,
            String base,
            Map<String, String> nodeMeta,
            DifyAppCompiler.PromptCollector collector,
            ParsedDocument doc,
            Problems problems) {
        Set<String> declared = new LinkedHashSet<>();
        if (data.get("inputs") instanceof List<?> inputs) {
            for (Object input : inputs) {
                if (input instanceof Map<?, ?> i && i.get("output_variable_name") != null) {
                    declared.add(i.get("output_variable_name").toString());
                }
            }
        }
        Map<String, String> meta = new TreeMap<>(nodeMeta);
        if (!declared.isEmpty()) {
            meta.put("form.fields", String.join(",", declared));
        }
        if (data.get("user_actions") instanceof List<?> actions) {
            StringBuilder ids = new StringBuilder();
            for (Object action : actions) {
                if (action instanceof Map<?, ?> a && a.get("id") != null) {
                    ids.append(ids.length() == 0 ? "" : ",").append(a.get("id"));
                }
            }
            if (ids.length() > 0) {
                meta.put("form.actions", ids.toString());
            }
        }
        Object form = data.get("form_content");
        collector.add(base + "form_content", form, at + ".form_content", PromptSyntax.DIFY, meta);
        if (form instanceof String text) {
            Matcher m = FORM_FIELD.matcher(text);
            while (m.find()) {
                if (!declared.contains(m.group(1))) {
                    problems.warning(
                            doc.file(),
                            doc.line(at + ".form_content"),
                            0,
                            "the form of Human Input node " + id + " shows field " + m.group() + ", but its 'inputs'"
                                    + " declare no output_variable_name '" + m.group(1) + "' " + declared);
                }
            }
        }
        if (data.get("delivery_methods") instanceof List<?> methods) {
            for (int i = 0; i < methods.size(); i++) {
                if (methods.get(i) instanceof Map<?, ?> method
                        && "email".equals(method.get("type"))
                        && method.get("config") instanceof Map<?, ?> config) {
                    String path = at + ".delivery_methods[" + i + "].config";
                    collector.add(
                            base + "delivery_methods/" + i + "/subject",
                            config.get("subject"),
                            path + ".subject",
                            PromptSyntax.DIFY,
                            meta);
                    collector.add(
                            base + "delivery_methods/" + i + "/body",
                            config.get("body"),
                            path + ".body",
                            PromptSyntax.DIFY,
                            meta);
                }
            }
        }
    }
}
