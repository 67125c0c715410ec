package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.loader.PromptSyntax;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Collects the prompts of a workflow's nodes (workflow and advanced-chat apps), with the node's metadata. */
final class WorkflowNodePrompts {
    private WorkflowNodePrompts() {}

    static void collect(Map<?, ?> workflow, DifyAppCompiler.PromptCollector collector) {
        for (WorkflowNode node : WorkflowNode.of(workflow)) {
            String id = node.id();
            String type = node.type();
            Map<?, ?> data = node.data();
            String at = node.at();
            Map<String, String> meta = node.newMeta();
            if (data.get("model") instanceof Map<?, ?> model) {
                for (String k : List.of("provider", "name", "mode")) {
                    if (model.get(k) != null) {
                        meta.put("model." + k, model.get(k).toString());
                    }
                }
            }
            String base = "nodes/" + id + "/";
            switch (type) {
                case "llm" -> {
                    Object template = data.get("prompt_template");
                    if (template instanceof List<?> messages) {
                        for (int i = 0; i < messages.size(); i++) {
                            if (messages.get(i) instanceof Map<?, ?> m) {
                                addMessage(collector, base + i, m, at + ".prompt_template[" + i + "]", meta);
                            }
                        }
                    } else if (template instanceof Map<?, ?> m) {
                        addMessage(collector, base + "0", m, at + ".prompt_template", meta);
                    }
                    if (data.get("memory") instanceof Map<?, ?> memory) {
                        collector.add(
                                base + "query_prompt",
                                memory.get("query_prompt_template"),
                                at + ".memory.query_prompt_template",
                                PromptSyntax.DIFY,
                                meta);
                    }
                }
                case "question-classifier", "parameter-extractor" ->
                    collector.add(
                            base + "instruction",
                            data.get("instruction"),
                            at + ".instruction",
                            PromptSyntax.DIFY,
                            meta);
                case "answer" ->
                    collector.add(base + "answer", data.get("answer"), at + ".answer", PromptSyntax.DIFY, meta);
                case "template-transform" ->
                    collector.add(base + "template", data.get("template"), at + ".template", PromptSyntax.JINJA2, meta);
                default -> {}
            }
        }
    }

    private static void addMessage(
            DifyAppCompiler.PromptCollector collector,
            String name,
            Map<?, ?> message,
            String at,
            Map<String, String> nodeMeta) {
        Map<String, String> meta = new TreeMap<>(nodeMeta);
        meta.putAll(DifyAppCompiler.PromptCollector.roleOf(message));
        boolean jinja = "jinja2".equals(message.get("edition_type"));
        if (jinja) {
            meta.put("edition_type", "jinja2");
            collector.add(name, message.get("jinja2_text"), at + ".jinja2_text", PromptSyntax.JINJA2, meta);
        } else {
            collector.add(name, message.get("text"), at + ".text", PromptSyntax.DIFY, meta);
        }
    }
}
