package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.writer.PromptSource;
import java.util.List;

/**
 * A Dify app export, compiled: its settings as a config tree and its prompts as templates.
 *
 * @param name the export's file name without extension
 * @param mode the app mode (chat, completion, agent-chat, advanced-chat, workflow)
 * @param dslVersion the export's DSL version (0.1.0 when it has none)
 * @param configTree the settings stored under {@code apps.<name>}
 * @param prompts every prompt of the app
 */
public record DifyApp(String name, String mode, String dslVersion, Object configTree, List<AppPrompt> prompts) {

    /**
     * One prompt of the app.
     *
     * @param source the template, named {@code apps/<name>/...}
     * @param line the line of its text in the export (0 when unknown)
     * @param blockScalar whether the text is a YAML block scalar (starts on the next line)
     */
    public record AppPrompt(PromptSource source, int line, boolean blockScalar) {
    }
}
