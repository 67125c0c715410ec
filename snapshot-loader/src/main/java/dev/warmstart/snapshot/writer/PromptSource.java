package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.loader.PromptSyntax;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prompt template as authored, before compilation.
 *
 * @param name the prompt's name in the snapshot, e.g. {@code support/answer}
 * @param text the template text
 * @param syntax how to tokenize it
 * @param declaredVariables the variables the author declared, or null to infer them from the text
 * @param metadata flat metadata (version, description, model.name...); null means none
 */
public record PromptSource(
        String name, String text, PromptSyntax syntax, List<String> declaredVariables, Map<String, String> metadata) {

    /** Checks the required fields and copies the collections. */
    public PromptSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(syntax, "syntax");
        declaredVariables = declaredVariables == null ? null : List.copyOf(declaredVariables);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
