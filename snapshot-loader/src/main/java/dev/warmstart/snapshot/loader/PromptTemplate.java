package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.PromptLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A prompt template compiled at build time into literal segments and variable slots: {@link #render} only
 * concatenates. Immutable and thread-safe; obtained from {@link Snapshot#prompt(String)}.
 */
public final class PromptTemplate {
    private final String name;
    private final String source;
    private final PromptSyntax syntax;
    private final String text;
    private final List<String> variables;
    private final Map<String, String> metadata;
    /** Literal text, or null where the segment is a slot. */
    private final String[] literals;
    /** Variable name of each slot segment, or null where the segment is literal. */
    private final String[] slots;

    private final int literalLength;

    private PromptTemplate(
            String name,
            String source,
            PromptSyntax syntax,
            String text,
            List<String> variables,
            Map<String, String> metadata,
            String[] literals,
            String[] slots) {
        this.name = name;
        this.source = source;
        this.syntax = syntax;
        this.text = text;
        this.variables = variables;
        this.metadata = metadata;
        this.literals = literals;
        this.slots = slots;
        int length = 0;
        for (String literal : literals) {
            length += literal == null ? 0 : literal.length();
        }
        this.literalLength = length;
    }

    /**
     * Decodes a compiled prompt entry (see {@code docs/format.md} §7), checking every bound.
     *
     * @throws CorruptSnapshotException when the entry is damaged
     */
    static PromptTemplate decode(String name, ByteBuffer entry, String source) {
        Decoder d = new Decoder(name, entry, source);
        return d.decode();
    }

    /** @return the prompt's name */
    public String name() {
        return name;
    }

    /** @return how the template was tokenized */
    public PromptSyntax syntax() {
        return syntax;
    }

    /** @return the template's source text, exactly as authored */
    public String text() {
        return text;
    }

    /** @return the template's variables: the declared ones, or those its text uses, in order */
    public List<String> variables() {
        return variables;
    }

    /** @return the template's metadata (version, description, model hints...), sorted by key */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return one metadata value */
    public Optional<String> metadata(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** @return the {@code version} metadata */
    public Optional<String> version() {
        return metadata("version");
    }

    /** @return the {@code description} metadata */
    public Optional<String> description() {
        return metadata("description");
    }

    /**
     * Renders the template: literal text and each slot's value ({@code String.valueOf}), concatenated. Keys that
     * are not variables of the template are ignored.
     *
     * @throws MissingVariableException when a variable the text uses has no value, or a null one
     * @throws SnapshotException for a Jinja2 template, which this loader does not execute
     */
    public String render(Map<String, ?> values) {
        if (syntax == PromptSyntax.JINJA2) {
            throw Failures.snapshot(source + ": prompt '" + name + "' is a Jinja2 template; render text() with a "
                    + "Jinja engine (its variables are " + variables + ")");
        }
        StringBuilder out = new StringBuilder(literalLength + 32 * slots.length);
        for (int i = 0; i < literals.length; i++) {
            String literal = literals[i];
            if (literal != null) {
                out.append(literal);
            } else {
                Object value = values.get(slots[i]);
                if (value == null) {
                    throw Failures.missingVariable(
                            source + ": prompt '" + name + "' needs a value for variable '"
                                    + slots[i] + "'" + (values.containsKey(slots[i]) ? " (it was null)" : "")
                                    + "; pass it to render()",
                            slots[i]);
                }
                out.append(value);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "PromptTemplate[" + name + ", " + syntax + ", variables " + variables + "]";
    }

    /**
     * Reads the layout of {@link PromptLayout} with every offset bounds-checked, from a copy of the entry in one
     * array: the entry becomes strings anyway, and a prompt's first decoding in a cold JVM runs in the interpreter,
     * where each {@code ByteBuffer} read (four per segment, two per string) is a chain of calls and an array read
     * is one bytecode: the start-up path's first prompt costs about a quarter less (docs/performance.md section 5).
     */
    private static final class Decoder {
        private final String name;
        private final String source;
        /** A copy of the entry's bytes. */
        private final byte[] buf;

        private int heapStart;
        private int heapLength;

        Decoder(String name, ByteBuffer entry, String source) {
            this.name = name;
            this.source = source;
            this.buf = new byte[entry.capacity()];
            entry.get(0, buf);
        }

        PromptTemplate decode() {
            int length = buf.length;
            if (length < PromptLayout.HEADER_LENGTH) {
                throw corrupt("is " + length + " bytes, shorter than its header");
            }
            for (int i = 0; i < PromptLayout.MAGIC.length; i++) {
                if (buf[i] != PromptLayout.MAGIC[i]) {
                    throw corrupt("has a bad magic");
                }
            }
            PromptSyntax syntax = switch (buf[8]) {
                case PromptLayout.SYNTAX_PLAIN -> PromptSyntax.PLAIN;
                case PromptLayout.SYNTAX_DIFY -> PromptSyntax.DIFY;
                case PromptLayout.SYNTAX_JINJA2 -> PromptSyntax.JINJA2;
                default -> throw corrupt("has unknown syntax code " + buf[8]);
            };
            long segmentCount = getInt(12) & 0xffffffffL;
            long variableCount = getInt(16) & 0xffffffffL;
            long metadataCount = getInt(20) & 0xffffffffL;
            long heap = getInt(24) & 0xffffffffL;
            long expected = PromptLayout.HEADER_LENGTH
                    + segmentCount * PromptLayout.SEGMENT_LENGTH
                    + variableCount * PromptLayout.VARIABLE_LENGTH
                    + metadataCount * PromptLayout.METADATA_LENGTH
                    + heap;
            if (expected != length) {
                throw corrupt("declares " + expected + " bytes but is " + length);
            }
            int segmentsStart = PromptLayout.HEADER_LENGTH;
            int variablesStart = segmentsStart + (int) segmentCount * PromptLayout.SEGMENT_LENGTH;
            int metadataStart = variablesStart + (int) variableCount * PromptLayout.VARIABLE_LENGTH;
            heapStart = metadataStart + (int) metadataCount * PromptLayout.METADATA_LENGTH;
            heapLength = (int) heap;

            String text = string(getInt(28), getInt(32));
            List<String> variables = new ArrayList<>((int) variableCount);
            for (int i = 0; i < variableCount; i++) {
                int at = variablesStart + i * PromptLayout.VARIABLE_LENGTH;
                variables.add(string(getInt(at), getInt(at + 4)));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int i = 0; i < metadataCount; i++) {
                int at = metadataStart + i * PromptLayout.METADATA_LENGTH;
                metadata.put(string(getInt(at), getInt(at + 4)), string(getInt(at + 8), getInt(at + 12)));
            }
            String[] literals = new String[(int) segmentCount];
            String[] slots = new String[(int) segmentCount];
            for (int i = 0; i < segmentCount; i++) {
                int at = segmentsStart + i * PromptLayout.SEGMENT_LENGTH;
                int kind = getInt(at);
                if (kind == PromptLayout.SEGMENT_LITERAL) {
                    literals[i] = string(getInt(at + 4), getInt(at + 8));
                } else if (kind == PromptLayout.SEGMENT_SLOT) {
                    int v = getInt(at + 4);
                    if (v < 0 || v >= variableCount) {
                        throw corrupt("has a slot for variable " + v + " of " + variableCount);
                    }
                    slots[i] = variables.get(v);
                } else {
                    throw corrupt("has a segment of unknown kind " + kind);
                }
            }
            return new PromptTemplate(
                    name,
                    source,
                    syntax,
                    text,
                    Collections.unmodifiableList(variables),
                    Collections.unmodifiableMap(metadata),
                    literals,
                    slots);
        }

        private String string(int offset, int length) {
            if (offset < 0 || length < 0 || (long) offset + length > heapLength) {
                throw corrupt("points outside its heap (" + offset + "+" + length + " of " + heapLength + " bytes)");
            }
            return new String(buf, heapStart + offset, length, StandardCharsets.UTF_8);
        }

        /** The big-endian int at {@code at}, which the header checks put inside the entry. */
        private int getInt(int at) {
            return (buf[at] & 0xff) << 24
                    | (buf[at + 1] & 0xff) << 16
                    | (buf[at + 2] & 0xff) << 8
                    | (buf[at + 3] & 0xff);
        }

        private RuntimeException corrupt(String what) {
            return Failures.corrupt(source + ": prompt '" + name + "' " + what + "; rebuild the snapshot");
        }
    }
}
