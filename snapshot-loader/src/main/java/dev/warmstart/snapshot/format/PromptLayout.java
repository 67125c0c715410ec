package dev.warmstart.snapshot.format;

/**
 * Layout of one compiled prompt template (entry {@code prompts/<name>.prompt}); see {@code docs/format.md} §7.
 *
 * <pre>
 * offset            size  field (big-endian)
 *  0                 8    magic "WSPRMPT1"
 *  8                 1    syntax (SYNTAX_*)
 *  9                 3    reserved (0)
 * 12                 4    segment count S
 * 16                 4    variable count V
 * 20                 4    metadata pair count M
 * 24                 4    heap length H
 * 28                 4    source text offset in the heap
 * 32                 4    source text length
 * 36              12·S    segments, in order: u32 kind (SEGMENT_*), then
 *                           LITERAL: u32 heap offset, u32 length      SLOT: u32 variable index, u32 0
 * 36+12S           8·V    variables: u32 heap offset, u32 length (UTF-8 names)
 * 36+12S+8V       16·M    metadata: key offset, key length, value offset, value length (sorted by key)
 * 36+12S+8V+16M      H    heap (UTF-8)
 * </pre>
 */
public final class PromptLayout {
    private PromptLayout() {}

    /** Magic, 8 ASCII bytes. */
    public static final byte[] MAGIC = {'W', 'S', 'P', 'R', 'M', 'P', 'T', '1'};
    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 36;
    /** Length of one segment record. */
    public static final int SEGMENT_LENGTH = 12;
    /** Length of one variable record. */
    public static final int VARIABLE_LENGTH = 8;
    /** Length of one metadata record. */
    public static final int METADATA_LENGTH = 16;

    /** Syntax code of {@code PromptSyntax.PLAIN}. */
    public static final int SYNTAX_PLAIN = 1;
    /** Syntax code of {@code PromptSyntax.DIFY}. */
    public static final int SYNTAX_DIFY = 2;
    /** Syntax code of {@code PromptSyntax.JINJA2}: no segments, the source text is kept raw. */
    public static final int SYNTAX_JINJA2 = 3;

    /** A run of literal text. */
    public static final int SEGMENT_LITERAL = 0;
    /** A variable slot. */
    public static final int SEGMENT_SLOT = 1;
}
