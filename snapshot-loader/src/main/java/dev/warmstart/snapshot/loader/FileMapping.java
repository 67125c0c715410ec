package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * How one open snapshot file is mapped, and what closing it releases. This class is what the rest of the loader
 * calls, and it is also the Java 17 way: each call maps a range of its own with {@link FileChannel#map}; a
 * {@link java.nio.MappedByteBuffer} has no unmap, so a closed snapshot keeps its mappings until the garbage
 * collector finds their buffers unreachable (never under a reader).
 *
 * <p>On Java 22 and later {@link #map(FileChannel, long)} returns an {@code ArenaFileMapping} instead (source in
 * {@code src/main/java22}, compiled for Java 22 into this same jar and package), which maps the file once into a
 * shared {@code Arena} and unmaps it on {@link #close()}. It is chosen here at run time, not by a multi-release jar:
 * from JDK 24 on, opening a jar with {@code META-INF/versions/} entries bootstraps the JVM's first lambda, a few
 * milliseconds of every service's start-up (docs/performance.md section 5). Java 17 code cannot name a class
 * compiled for 22, so it is looked up by name, once, at the first mapping: the start-up path reads small files
 * ({@link MappedFile} does that itself) and never gets there. A jar built without a JDK 22+ has no such class, and
 * maps as Java 17 does.
 */
class FileMapping {
    private final FileChannel channel;

    /**
     * @param channel the file that {@link #map(long, long)} maps range by range
     */
    FileMapping(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Prepares the mapping of a whole file: the Java 22+ mapping where this JVM and this jar have it (which maps
     * the file here), else the Java 17 one (which maps each range when asked).
     *
     * @param channel the open file
     * @param length its length
     * @throws IOException when the operating system refuses the mapping
     */
    static FileMapping map(FileChannel channel, long length) throws IOException {
        FileMapping arena = Arenas.map(channel, length);
        return arena != null ? arena : new FileMapping(channel);
    }

    /**
     * Whether {@link #close()} of a {@link #map mapped} file unmaps it on this JVM: true where the Java 22+ mapping
     * is used, false where the mapping waits for a garbage collection.
     */
    static boolean unmapsOnClose() {
        return Arenas.CONSTRUCTOR != null;
    }

    /**
     * Returns {@code length} bytes at {@code offset} (at most 2 GiB) of a {@link #map mapped} file, read-only.
     *
     * @throws IOException when the operating system refuses the mapping
     */
    ByteBuffer map(long offset, long length) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }

    /** Releases nothing here: the garbage collector unmaps each buffer once unreachable. */
    void close() {
        // Nothing to release on Java 17.
    }

    /**
     * The Java 22+ mapping, where it is used. A class of its own, so that it is looked up at the first mapping, not
     * when a small file is read at start-up, and so that the classes the verifier loads for FileMapping do not
     * grow; the method handle costs little next to that first mapping, which bootstraps the FFM API anyway.
     */
    private static final class Arenas {
        /** {@code new ArenaFileMapping(FileChannel, long)} typed as returning FileMapping; null where not used. */
        static final MethodHandle CONSTRUCTOR = find();

        /** @return the Java 22+ mapping of the file, or null where it is not used */
        static FileMapping map(FileChannel channel, long length) throws IOException {
            if (CONSTRUCTOR == null) {
                return null;
            }
            try {
                return (FileMapping) CONSTRUCTOR.invokeExact(channel, length);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new UndeclaredThrowableException(e); // the constructor declares IOException only
            }
        }

        private static MethodHandle find() {
            if (Runtime.version().feature() < 22) {
                return null; // its class file is version 66: this JVM cannot load it
            }
            Class<?> type;
            try {
                type = Class.forName(
                        "dev.warmstart.snapshot.loader.ArenaFileMapping", false, FileMapping.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                return null; // a jar built without a JDK 22+ (the build warns): Java 17's mapping
            }
            try {
                return MethodHandles.lookup()
                        .findConstructor(type, MethodType.methodType(void.class, FileChannel.class, long.class))
                        .asType(MethodType.methodType(FileMapping.class, FileChannel.class, long.class));
            } catch (ReflectiveOperationException e) {
                throw new LinkageError("the loader jar's ArenaFileMapping has no (FileChannel, long) constructor", e);
            }
        }
    }
}
