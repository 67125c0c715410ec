package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java 22+ mapping of a whole snapshot file: compiled for Java 22 from {@code src/main/java22} into the same
 * jar and package as the Java 17 code, and chosen by {@link FileMapping#map(FileChannel, long)} at run time on Java
 * 22 and later (no multi-release jar: see there). Nothing else names this class.
 *
 * <p>The whole file is mapped once, as one {@link MemorySegment} of a shared {@link Arena}; every buffer handed
 * out is a view of it, so a range that straddles two regions costs no mapping of its own, and {@link #close()}
 * unmaps the file at once instead of leaving it to a garbage collection. Closing a shared arena is safe while
 * other threads read: the JVM makes each of them see the closed state first, so a read of a closed mapping throws
 * {@link IllegalStateException} instead of touching unmapped memory.
 */
final class ArenaFileMapping extends FileMapping {
    /** How long {@link #close()} waits for a native operation that still holds the mapping (see there). */
    private static final long CLOSE_PATIENCE_NANOS = 1_000_000_000L;

    private final Arena arena;
    private final MemorySegment file;
    // A plain flag under the monitor, not an AtomicBoolean, and the logger looked up only when needed: every class
    // this one initialises is loaded on the first mapping.
    private boolean closed;

    /**
     * Maps the whole file. Called through a method handle by {@link FileMapping#map(FileChannel, long)}.
     *
     * @param channel the open file
     * @param length its length
     * @throws IOException when the operating system refuses the mapping
     */
    ArenaFileMapping(FileChannel channel, long length) throws IOException {
        super(channel);
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

    /**
     * Returns {@code length} bytes at {@code offset} (at most 2 GiB), read-only: a view, no new mapping.
     *
     * @throws IOException never here; declared as the Java 17 mapping does
     */
    @Override
    ByteBuffer map(long offset, long length) throws IOException {
        return file.asSlice(offset, length).asByteBuffer();
    }

    /**
     * Unmaps the file; idempotent. A native operation that holds the mapping at this moment (a
     * {@link java.nio.channels.FileChannel#write} of an entry's buffer, say) makes the JVM refuse the close; it is
     * retried for up to a second, then given up with a warning, and the mapping then stays until the process
     * ends.
     */
    @Override
    void close() {
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
        System.getLogger(ArenaFileMapping.class.getName())
                .log(
                        System.Logger.Level.WARNING,
                        "A snapshot mapping is still held by a native operation a second after its snapshot was"
                                + " closed; it stays mapped until the process ends (" + acquired.getMessage() + ")");
    }
}
