package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.format.PromptLayout;
import dev.warmstart.snapshot.loader.PromptSyntax;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A prompt template tokenized at build time into literal segments and variable slots, ready to be written as a
 * snapshot entry. Made by {@link PromptCompiler}.
 */
public final class CompiledPrompt {
    /**
     * A literal run ({@code variableIndex < 0}): the source text from {@code sourceStart} to {@code sourceEnd}, kept
     * as offsets rather than a copy of the text; or a slot.
     */
    record Segment(int variableIndex, int sourceStart, int sourceEnd) {
        static Segment slot(int variableIndex) {
            return new Segment(variableIndex, -1, -1);
        }

        static Segment literal(int sourceStart, int sourceEnd) {
            return new Segment(-1, sourceStart, sourceEnd);
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
        return toBytes(text.getBytes(StandardCharsets.UTF_8), 0);
    }

    /**
     * {@link #toBytes()} from the text's UTF-8 encoding, which the caller has at hand (a text prompt's file is its
     * text): the bytes are copied into the entry instead of the text being encoded again.
     *
     * @param textUtf8 holds exactly the text's UTF-8 encoding from {@code from} to its end, as a strict UTF-8
     *     decode of those bytes gave the text
     * @throws IllegalArgumentException when the bytes cannot be the text's encoding (too few or too many for it)
     */
    public byte[] toBytes(byte[] textUtf8, int from) {
        int textLength = textUtf8.length - from;
        // Each char takes one to three bytes (a surrogate pair four, for two chars): a cheap bound, not a proof.
        if (from < 0 || textLength < text.length() || textLength > 3L * text.length()) {
            throw new IllegalArgumentException("prompt '" + name + "': " + textLength
                    + " bytes cannot be the UTF-8 encoding of its " + text.length() + " chars");
        }
        // The string heap is the source text followed by the few strings stored apart (literals not in the text,
        // variable names, metadata); its size is known before anything is copied, so the entry is laid out in one
        // array, the text copied once.
        List<byte[]> stored = new ArrayList<>();
        int heapSize = textLength;
        // All-ASCII text (the common case) has a byte for every char: offsets need no counting.
        boolean ascii = textLength == text.length();
        int[] segmentRefs = new int[2 * segments.size()];
        // A literal references its bytes inside the stored source text instead of being stored twice: the entry
        // is about the size of the text. The tokenizers emit literals in source order, so the UTF-8 offset is
        // kept by a cursor that only moves forwards.
        int charCursor = 0;
        int byteCursor = 0;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.variableIndex() < 0) {
                if (s.sourceStart() >= charCursor) {
                    int end = s.sourceEnd();
                    byteCursor += ascii ? s.sourceStart() - charCursor : utf8Length(text, charCursor, s.sourceStart());
                    int length = ascii ? end - s.sourceStart() : utf8Length(text, s.sourceStart(), end);
                    segmentRefs[2 * i] = byteCursor;
                    segmentRefs[2 * i + 1] = length;
                    byteCursor += length;
                    charCursor = end;
                } else {
                    byte[] bytes =
                            text.substring(s.sourceStart(), s.sourceEnd()).getBytes(StandardCharsets.UTF_8);
                    segmentRefs[2 * i] = heapSize;
                    segmentRefs[2 * i + 1] = bytes.length;
                    stored.add(bytes);
                    heapSize += bytes.length;
                }
            }
        }
        int[] variableRefs = new int[2 * variables.size()];
        for (int i = 0; i < variables.size(); i++) {
            byte[] bytes = variables.get(i).getBytes(StandardCharsets.UTF_8);
            variableRefs[2 * i] = heapSize;
            variableRefs[2 * i + 1] = bytes.length;
            stored.add(bytes);
            heapSize += bytes.length;
        }
        int[] metadataRefs = new int[4 * metadata.size()];
        int m = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            for (String part : List.of(e.getKey(), e.getValue())) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                metadataRefs[m++] = heapSize;
                metadataRefs[m++] = bytes.length;
                stored.add(bytes);
                heapSize += bytes.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(PromptLayout.HEADER_LENGTH
                + segments.size() * PromptLayout.SEGMENT_LENGTH
                + variables.size() * PromptLayout.VARIABLE_LENGTH
                + metadata.size() * PromptLayout.METADATA_LENGTH
                + heapSize);
        out.put(PromptLayout.MAGIC)
                .put((byte) syntaxCode(syntax))
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        out.putInt(segments.size())
                .putInt(variables.size())
                .putInt(metadata.size())
                .putInt(heapSize);
        out.putInt(0).putInt(textLength);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.variableIndex() < 0) {
                out.putInt(PromptLayout.SEGMENT_LITERAL)
                        .putInt(segmentRefs[2 * i])
                        .putInt(segmentRefs[2 * i + 1]);
            } else {
                out.putInt(PromptLayout.SEGMENT_SLOT).putInt(s.variableIndex()).putInt(0);
            }
        }
        for (int ref : variableRefs) {
            out.putInt(ref);
        }
        for (int ref : metadataRefs) {
            out.putInt(ref);
        }
        out.put(textUtf8, from, textLength);
        for (byte[] bytes : stored) {
            out.put(bytes);
        }
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
