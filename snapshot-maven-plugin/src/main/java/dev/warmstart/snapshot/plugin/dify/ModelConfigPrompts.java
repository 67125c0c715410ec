package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.loader.PromptSyntax;
import java.util.List;
import java.util.Map;

/**
 * Collects the prompts of an app's {@code model_config} (chat, completion and agent-chat apps): pre-prompt,
 * opening statement, the expert-mode chat and completion prompts, and the agent prompt.
 */
final class ModelConfigPrompts {
    private ModelConfigPrompts() {}

    static void collect(Map<?, ?> modelConfig, DifyAppCompiler.PromptCollector collector) {
        collector.add(
                "pre_prompt", modelConfig.get("pre_prompt"), "model_config.pre_prompt", PromptSyntax.DIFY, Map.of());
        collector.add(
                "opening_statement",
                modelConfig.get("opening_statement"),
                "model_config.opening_statement",
                PromptSyntax.DIFY,
                Map.of());
        if (modelConfig.get("chat_prompt_config") instanceof Map<?, ?> chat
                && chat.get("prompt") instanceof List<?> messages) {
            for (int i = 0; i < messages.size(); i++) {
                if (messages.get(i) instanceof Map<?, ?> m) {
                    collector.add(
                            "chat_prompt/" + i,
                            m.get("text"),
                            "model_config.chat_prompt_config.prompt[" + i + "].text",
                            PromptSyntax.DIFY,
                            DifyAppCompiler.PromptCollector.roleOf(m));
                }
            }
        }
        if (modelConfig.get("completion_prompt_config") instanceof Map<?, ?> completion
                && completion.get("prompt") instanceof Map<?, ?> p) {
            collector.add(
                    "completion_prompt",
                    p.get("text"),
                    "model_config.completion_prompt_config.prompt.text",
                    PromptSyntax.DIFY,
                    Map.of());
        }
        if (modelConfig.get("agent_mode") instanceof Map<?, ?> agent) {
            collector.add(
                    "agent_prompt", agent.get("prompt"), "model_config.agent_mode.prompt", PromptSyntax.DIFY, Map.of());
        }
    }
}
