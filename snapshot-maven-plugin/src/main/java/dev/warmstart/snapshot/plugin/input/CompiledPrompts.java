package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds the entry bytes of every prompt compiled during validation, so each template is compiled once and its
 * bytes are written as they are. Memory stays bounded whatever the size of the inputs: bytes are kept on the heap
 * up to a budget, and beyond it spilled to a temporary file that is deleted on {@link #close}. Safe for use by
 * several threads at once.
 */
public final class CompiledPrompts implements Closeable {
    /** Largest share of the heap that kept prompt bytes may take. */
    private static final long MAX_BUDGET = 64L << 20;

    private static final MessageDigest SHA256 = ContentHash.sha256();

    private final long budget;
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong spillEnd = new AtomicLong();
    private Path spillFile;
    private FileChannel spill;
    private boolean closed;

    /** A store keeping up to an eighth of the heap (at most 64 MiB) on the heap. */
    public CompiledPrompts() {
        this(Math.min(MAX_BUDGET, Runtime.getRuntime().maxMemory() / 8));
    }

    /** @param budget bytes kept on the heap before spilling to a file */
    CompiledPrompts(long budget) {
        this.budget = budget;
    }

    /** A compiled prompt, stored: its entry's hash, length and what the self-check compares. */
    public static final class Entry {
        private final byte[] sha256;
        private final int length;
        private final List<String> variables;
        private final PromptSyntax syntax;
        private final byte[] bytes;
        private final long spillOffset;

        Entry(byte[] sha256, int length, List<String> variables, PromptSyntax syntax, byte[] bytes, long spillOffset) {
            this.sha256 = sha256;
            this.length = length;
            this.variables = variables;
            this.syntax = syntax;
            this.bytes = bytes;
            this.spillOffset = spillOffset;
        }

        /** @return the SHA-256 of the entry bytes (a copy) */
        public byte[] sha256() {
            return sha256.clone();
        }

        /** @return the number of entry bytes */
        public int length() {
            return length;
        }

        /** @return the variables stored with the prompt */
        public List<String> variables() {
            return variables;
        }

        /** @return the prompt's syntax */
        public PromptSyntax syntax() {
            return syntax;
        }
    }

    /** Stores a compiled prompt: computes its entry bytes and their SHA-256. */
    Entry store(CompiledPrompt prompt) throws IOException {
        return store(prompt, prompt.toBytes());
    }

    /**
     * Stores a compiled prompt whose text's UTF-8 bytes are at hand: see {@link CompiledPrompt#toBytes(byte[], int)}.
     */
    Entry store(CompiledPrompt prompt, byte[] textUtf8, int from) throws IOException {
        return store(prompt, prompt.toBytes(textUtf8, from));
    }

    private Entry store(CompiledPrompt prompt, byte[] bytes) throws IOException {
        byte[] sha256 = newSha256().digest(bytes);
        if (kept.addAndGet(bytes.length) <= budget) {
            return new Entry(sha256, bytes.length, prompt.variables(), prompt.syntax(), bytes, -1);
        }
        kept.addAndGet(-bytes.length);
        long offset = spillEnd.getAndAdd(bytes.length);
        FileChannel channel = spill();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
        return new Entry(sha256, bytes.length, prompt.variables(), prompt.syntax(), null, offset);
    }

    /**
     * @return a fresh SHA-256 digest, cloned from a prototype: {@code MessageDigest.getInstance} looks the
     *     algorithm up among the providers on every call, a tenth of the hashing time of a 10 KiB prompt
     */
    private static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            return ContentHash.sha256();
        }
    }

    /** @return the entry bytes of a stored prompt */
    public byte[] bytes(Entry entry) throws IOException {
        if (entry.bytes != null) {
            return entry.bytes;
        }
        ByteBuffer buffer = ByteBuffer.allocate(entry.length);
        FileChannel channel = spill();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, entry.spillOffset + buffer.position()) < 0) {
                throw new IOException("the build's spill file " + spillFile + " ended early");
            }
        }
        return buffer.array();
    }

    /**
     * @return the entry bytes of a stored prompt for {@link SnapshotWriter#addEntry(String, int, byte[], long,
     *     SnapshotWriter.Deferred)}: spilled bytes as their place in the spill file, which the writer copies from
     *     file to file without reading them onto the heap
     */
    public SnapshotWriter.Deferred source(Entry entry) throws IOException {
        if (entry.bytes != null) {
            byte[] bytes = entry.bytes;
            return () -> bytes;
        }
        return SnapshotWriter.Deferred.inFile(spill(), entry.spillOffset, entry.length);
    }

    /** @return the bytes spilled to the temporary file so far */
    public long spilledBytes() {
        return spillEnd.get();
    }

    private synchronized FileChannel spill() throws IOException {
        if (closed) {
            throw new IllegalStateException("the compiled prompts are closed");
        }
        if (spill == null) {
            // Deleted by close(), which the builder always calls; no deleteOnExit, whose list would grow in a
            // long-lived Maven daemon.
            spillFile = Files.createTempFile("warmstart-build-", ".spill");
            spill = FileChannel.open(spillFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return spill;
    }

    /** Deletes the spill file, if any. */
    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (spill != null) {
            try {
                spill.close();
            } finally {
                Files.deleteIfExists(spillFile);
                spill = null;
            }
        }
    }
}
