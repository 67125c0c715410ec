package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * How one open snapshot file is mapped, and what closing it releases: the Java 22+ variant, which the
 * multi-release jar loads instead of the Java 17 one in {@code src/main/java} (same members).
 *
 * <p>The whole file is mapped once, as one {@link MemorySegment} of a shared {@link Arena}; every buffer handed
 * out is a view of it, so a range that straddles two regions costs no mapping of its own, and {@link #close()}
 * unmaps the file at once instead of leaving it to a garbage collection. Closing a shared arena is safe while
 * other threads read: the JVM makes each of them see the closed state first, so a read of a closed mapping throws
 * {@link IllegalStateException} instead of touching unmapped memory.
 */
final class FileMapping {
    /**
     * Whether {@link #close()} unmaps the file: true here. A method, not a constant: callers are compiled against
     * the Java 17 variant, and would keep its value inlined.
     *
     * @return true
     */
    static boolean unmapsOnClose() {
        return true;
    }

    /** How long {@link #close()} waits for a native operation that still holds the mapping (see there). */
    private static final long CLOSE_PATIENCE_NANOS = 1_000_000_000L;

    private final Arena arena;
    private final MemorySegment file;
    private final ByteBuffer memory;
    // A plain flag under the monitor, not an AtomicBoolean, and the logger looked up only when needed: every class
    // this one initialises is loaded on a service's start-up path.
    private boolean closed;

    /**
     * Maps the whole file, or sets aside direct memory for a small file read instead of mapped. That memory is
     * not taken from an arena: creating the first shared arena costs a cold JVM tens of milliseconds of FFM
     * bootstrap, which the read path exists to avoid (docs/cold-start.md); it is freed by the garbage collector, as
     * on Java 17, and stays readable after {@link #close()}.
     *
     * @param channel the open file
     * @param length its length
     * @param map whether to map the file; false: set aside {@code length} bytes for {@link #buffer()}
     * @throws IOException when the operating system refuses the mapping
     */
    FileMapping(FileChannel channel, long length, boolean map) throws IOException {
        if (!map) {
            this.arena = null;
            this.file = null;
            this.memory = ByteBuffer.allocateDirect((int) length);
            return;
        }
        this.memory = null;
        Arena shared = Arena.ofShared();
        try {
            this.file = channel.map(FileChannel.MapMode.READ_ONLY, 0, length, shared);
        } catch (IOException | RuntimeException | Error e) {
            // A shared arena is never freed by the garbage collector: close it on every failure.
            shared.close();
            throw e;
        }
        this.arena = shared;
    }

    /** The memory a file opened without mapping is read into, writable, positioned at 0. */
    ByteBuffer buffer() {
        return memory;
    }

    /**
     * Returns {@code length} bytes at {@code offset} (at most 2 GiB), read-only: a view, no new mapping.
     *
     * @throws IOException never on this variant; declared as the Java 17 one does
     */
    ByteBuffer map(long offset, long length) throws IOException {
        return file.asSlice(offset, length).asByteBuffer();
    }

    /**
     * Unmaps the file; idempotent. A native operation that holds the mapping at this moment (a
     * {@link java.nio.channels.FileChannel#write} of an entry's buffer, say) makes the JVM refuse the close; it is
     * retried for up to a second, then given up with a warning, and the mapping then stays until the process
     * ends.
     */
    void close() {
        if (arena == null) {
            return; // read, not mapped: the garbage collector frees the memory
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + CLOSE_PATIENCE_NANOS;
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException acquired) {
                if (System.nanoTime() - deadline > 0) {
                    warnStillMapped(acquired);
                    return;
                }
                LockSupport.parkNanos(100_000L);
            }
        }
    }

    private static void warnStillMapped(IllegalStateException acquired) {
        System.getLogger(FileMapping.class.getName())
                .log(
                        System.Logger.Level.WARNING,
                        "A snapshot mapping is still held by a native operation a second after its snapshot was"
                                + " closed; it stays mapped until the process ends (" + acquired.getMessage() + ")");
    }
}
