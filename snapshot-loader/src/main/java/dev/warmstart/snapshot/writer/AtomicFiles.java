package dev.warmstart.snapshot.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Replaces small files all at once: write a temporary file beside the target, force it to disk, rename it over
 * the target. A reader sees the old content or the new, never a mix; a crash leaves the old file intact.
 *
 * <p>Every temporary file is named {@code .<target name>.<random>.tmp} ({@link #isTemporary}), so a writer that
 * holds the lock of a directory can recognise and remove what a killed writer left behind.
 */
public final class AtomicFiles {
    /** Suffix of every temporary file made by {@link #createTemp}. */
    public static final String TEMP_SUFFIX = ".tmp";

    /** In a class of its own so that {@link #isTemporary} (a store's watcher asks it) never seeds a SecureRandom. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private AtomicFiles() {}

    /**
     * Writes {@code content} to {@code target} atomically, creating its directory when missing.
     *
     * @throws IOException when the write fails; the target is then unchanged
     */
    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = createTemp(target.toAbsolutePath(), TEMP_SUFFIX);
        try {
            try (FileChannel out =
                    FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                out.force(true);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates an empty temporary file beside {@code target}, named {@code .<target name>.<random><suffix>}.
     *
     * <p>Unlike {@link Files#createTempFile}, which makes every file 0600, the file gets the permissions the
     * process's umask gives any new file (0644 under umask 022): once renamed over the target it is an ordinary
     * output, readable by a service running as another user or a container build that copies it.
     */
    public static Path createTemp(Path target, String suffix) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        while (true) {
            Path temp = dir.resolve(prefix + Long.toUnsignedString(Random.INSTANCE.nextLong(), 36) + suffix);
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                // 64 random bits collided; draw again
            }
        }
    }

    /**
     * @return whether {@code file}'s name is that of a temporary file made by {@link #createTemp} with the suffix
     *     {@code suffix} (a file that a killed writer may have left behind)
     */
    public static boolean isTemporary(Path file, String suffix) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(suffix) && name.length() > 1 + suffix.length();
    }

    /** Renames {@code source} over {@code target}, atomically where the file system allows it. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
