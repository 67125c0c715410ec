package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.plugin.input.Problems;
import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Checks the references the app's Dify-syntax prompts make to nodes and to Human Input form fields. */
final class PromptReferences {
    private PromptReferences() {}

    /** A {@code {{#node.var#}}} reference must name a node of this app or one of Dify's namespaces. */
    static void check(
            String appName, List<DifyApp.AppPrompt> prompts, Set<String> nodeIds, Path file, Problems problems) {
        for (DifyApp.AppPrompt prompt : prompts) {
            if (prompt.source().syntax() != PromptSyntax.DIFY) {
                continue;
            }
            String type = prompt.source().metadata().get("node.type");
            java.util.regex.Matcher field =
                    NewNodes.FORM_FIELD.matcher(prompt.source().text());
            if (!"human-input".equals(type) && field.find()) {
                problems.warning(
                        file,
                        prompt.line(),
                        0,
                        "prompt '" + prompt.source().name() + "' holds " + field.group()
                                + ", a Human Input form field, which only that node's form fills; it stays literal"
                                + " text here");
            }
            CompiledPrompt compiled;
            try {
                compiled = PromptCompiler.compile(prompt.source());
            } catch (PromptSyntaxException e) {
                continue; // reported when the prompt itself is validated
            }
            for (String variable : compiled.usedVariables()) {
                if (!variable.startsWith("#") || variable.indexOf('.') < 0) {
                    continue;
                }
                String node = variable.substring(1, variable.indexOf('.'));
                if (!nodeIds.contains(node) && !DifyAppCompiler.RESERVED_NAMESPACES.contains(node)) {
                    String holder = prompt.source().metadata().getOrDefault("node.id", "(app settings)");
                    problems.error(
                            file,
                            prompt.line(),
                            0,
                            "prompt '" + prompt.source().name() + "' of node " + holder
                                    + " references {{" + variable + "}}, but the app has no node '" + node
                                    + "'; fix the reference in Dify and export the app again");
                }
            }
        }
    }
}
