package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.writer.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** How a store writes its files; replaceable so tests can simulate a full disk or a source file that changes. */
interface RegistryIo {
    /** Writes {@code content} to {@code target} atomically (the target is unchanged on failure). */
    void write(Path target, byte[] content) throws IOException;

    /** Copies {@code source}'s bytes into the existing empty file {@code temp} and forces them to disk. */
    default void copy(Path source, Path temp) throws IOException {
        try (InputStream in = Files.newInputStream(source);
                FileChannel out =
                        FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(Channels.newOutputStream(out));
            out.force(true);
        }
    }

    /** The real thing: temp file, fsync, rename. */
    RegistryIo ATOMIC = AtomicFiles::write;
}
