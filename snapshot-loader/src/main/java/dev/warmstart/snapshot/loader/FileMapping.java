package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * How one open snapshot file is mapped, and what closing it releases: the Java 17 variant.
 *
 * <p>Each call maps a range of its own with {@link FileChannel#map}; a {@link java.nio.MappedByteBuffer} has no
 * unmap, so a closed snapshot keeps its mappings until the garbage collector finds their buffers unreachable
 * (never under a reader). On Java 22 and later the multi-release jar replaces this class with the one in
 * {@code src/main/java22}, which maps the file once into a shared {@code Arena} and unmaps it on {@link #close()}.
 * Both variants have exactly the same members.
 */
final class FileMapping {
    /**
     * Whether {@link #close()} unmaps the file: false here, the mapping waits for a garbage collection. A method,
     * not a constant: callers are compiled against the Java 17 variant, and would keep its value inlined.
     *
     * @return false
     */
    static boolean unmapsOnClose() {
        return false;
    }

    private final FileChannel channel;
    private final ByteBuffer memory;

    /**
     * Prepares the mapping of a file (maps nothing yet on this variant), or sets aside the memory a small file is
     * read into instead.
     *
     * @param channel the open file
     * @param length its length
     * @param map whether to map the file; false: set aside {@code length} bytes of direct memory for
     *     {@link #buffer()} ({@code length} is then at most {@link Integer#MAX_VALUE})
     * @throws IOException never on this variant; the Java 22+ one maps here
     */
    FileMapping(FileChannel channel, long length, boolean map) throws IOException {
        this.channel = channel;
        this.memory = map ? null : ByteBuffer.allocateDirect((int) length);
    }

    /**
     * The memory a file opened without mapping is read into, writable, positioned at 0: direct memory, freed by
     * the garbage collector on this variant.
     */
    ByteBuffer buffer() {
        return memory;
    }

    /**
     * Returns {@code length} bytes at {@code offset} (at most 2 GiB), read-only.
     *
     * @throws IOException when the operating system refuses the mapping
     */
    ByteBuffer map(long offset, long length) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }

    /** Releases nothing: the garbage collector unmaps each buffer once nothing refers to it. */
    void close() {
        // Nothing to release on Java 17.
    }
}
