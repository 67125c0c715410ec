package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.format.PromptLayout;
import dev.warmstart.snapshot.loader.PromptSyntax;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A prompt template tokenized at build time into literal segments and variable slots, ready to be written as a
 * snapshot entry. Made by {@link PromptCompiler}.
 */
public final class CompiledPrompt {
    /**
     * A literal run ({@code variableIndex < 0}), which stands verbatim in the source text from {@code sourceStart}
     * (or -1 when it does not), or a slot.
     */
    record Segment(String literal, int variableIndex, int sourceStart) {
        static Segment slot(int variableIndex) {
            return new Segment(null, variableIndex, -1);
        }
    }

    private final String name;
    private final PromptSyntax syntax;
    private final String text;
    private final List<String> variables;
    private final List<String> usedVariables;
    private final List<String> unusedDeclaredVariables;
    private final SortedMap<String, String> metadata;
    private final List<Segment> segments;

    CompiledPrompt(
            String name,
            PromptSyntax syntax,
            String text,
            List<String> variables,
            List<String> usedVariables,
            List<String> unusedDeclaredVariables,
            SortedMap<String, String> metadata,
            List<Segment> segments) {
        this.name = name;
        this.syntax = syntax;
        this.text = text;
        this.variables = List.copyOf(variables);
        this.usedVariables = List.copyOf(usedVariables);
        this.unusedDeclaredVariables = List.copyOf(unusedDeclaredVariables);
        this.metadata = metadata;
        this.segments = List.copyOf(segments);
    }

    /** @return the prompt's name */
    public String name() {
        return name;
    }

    /** @return how it was tokenized */
    public PromptSyntax syntax() {
        return syntax;
    }

    /** @return the source text, exactly as authored */
    public String text() {
        return text;
    }

    /** @return the variables stored with the prompt: the declared ones if declared, else the used ones in order */
    public List<String> variables() {
        return variables;
    }

    /** @return the variables the text uses, in order of first use */
    public List<String> usedVariables() {
        return usedVariables;
    }

    /** @return declared variables the text never uses (the build warns about them) */
    public List<String> unusedDeclaredVariables() {
        return unusedDeclaredVariables;
    }

    /** @return the metadata, sorted by key */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return the number of literal and slot segments (0 for Jinja2 templates, which are kept raw) */
    public int segmentCount() {
        return segments.size();
    }

    /** @return the entry bytes (see {@link PromptLayout}); the same prompt always gives the same bytes */
    public byte[] toBytes() {
        ByteArrayOutputStream heap = new ByteArrayOutputStream();
        byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
        int[] textRef = {heap.size(), textBytes.length};
        heap.writeBytes(textBytes);
        // All-ASCII text (the common case) has a byte for every char: offsets need no counting.
        boolean ascii = textBytes.length == text.length();
        ByteBuffer seg = ByteBuffer.allocate(segments.size() * PromptLayout.SEGMENT_LENGTH);
        // A literal references its bytes inside the stored source text instead of being stored twice: the entry
        // is about the size of the text. The tokenizers emit literals in source order, so the UTF-8 offset is
        // kept by a cursor that only moves forwards.
        int charCursor = 0;
        int byteCursor = textRef[0];
        for (Segment s : segments) {
            if (s.variableIndex() < 0) {
                int[] ref;
                if (s.sourceStart() >= charCursor) {
                    int end = s.sourceStart() + s.literal().length();
                    byteCursor += ascii ? s.sourceStart() - charCursor : utf8Length(text, charCursor, s.sourceStart());
                    int length = ascii ? end - s.sourceStart() : utf8Length(text, s.sourceStart(), end);
                    ref = new int[] {byteCursor, length};
                    byteCursor += length;
                    charCursor = end;
                } else {
                    ref = put(heap, s.literal());
                }
                seg.putInt(PromptLayout.SEGMENT_LITERAL).putInt(ref[0]).putInt(ref[1]);
            } else {
                seg.putInt(PromptLayout.SEGMENT_SLOT).putInt(s.variableIndex()).putInt(0);
            }
        }
        ByteBuffer vars = ByteBuffer.allocate(variables.size() * PromptLayout.VARIABLE_LENGTH);
        for (String v : variables) {
            int[] ref = put(heap, v);
            vars.putInt(ref[0]).putInt(ref[1]);
        }
        ByteBuffer meta = ByteBuffer.allocate(metadata.size() * PromptLayout.METADATA_LENGTH);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            int[] k = put(heap, e.getKey());
            int[] v = put(heap, e.getValue());
            meta.putInt(k[0]).putInt(k[1]).putInt(v[0]).putInt(v[1]);
        }
        ByteBuffer out = ByteBuffer.allocate(
                PromptLayout.HEADER_LENGTH + seg.capacity() + vars.capacity() + meta.capacity() + heap.size());
        out.put(PromptLayout.MAGIC)
                .put((byte) syntaxCode(syntax))
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        out.putInt(segments.size())
                .putInt(variables.size())
                .putInt(metadata.size())
                .putInt(heap.size());
        out.putInt(textRef[0]).putInt(textRef[1]);
        out.put(seg.array()).put(vars.array()).put(meta.array()).put(heap.toByteArray());
        return out.array();
    }

    /** @return the stored code of a syntax (explicit codes, never ordinals, so reordering the enum is safe) */
    public static int syntaxCode(PromptSyntax syntax) {
        return switch (syntax) {
            case PLAIN -> PromptLayout.SYNTAX_PLAIN;
            case DIFY -> PromptLayout.SYNTAX_DIFY;
            case JINJA2 -> PromptLayout.SYNTAX_JINJA2;
        };
    }

    private static int[] put(ByteArrayOutputStream heap, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int offset = heap.size();
        heap.writeBytes(bytes);
        return new int[] {offset, bytes.length};
    }

    /** @return the UTF-8 length of {@code s[from, to)} */
    private static int utf8Length(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
