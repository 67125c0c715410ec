package dev.warmstart.snapshot.loader;

/** How a prompt template's text was tokenized at build time. */
public enum PromptSyntax {
    /**
     * Warmstart's own templates: {@code {{name}}} placeholders; every <code>{{</code> must open a valid placeholder
     * (write a literal one as <code>\{{</code>).
     */
    PLAIN,
    /**
     * Prompts taken from Dify app exports: {@code {{name}}} and {@code {{#node.var#}}} placeholders by Dify's own
     * rules; any other <code>{{</code> is literal text, as in Dify.
     */
    DIFY,
    /** Jinja2 templates (Dify's {@code edition_type: jinja2}): kept as raw text with their variables listed; not rendered. */
    JINJA2
}
