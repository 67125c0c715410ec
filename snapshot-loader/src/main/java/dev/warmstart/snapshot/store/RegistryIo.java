package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.nio.file.Path;

/** How a store writes its files; replaceable so tests can simulate a full disk. */
interface RegistryIo {
    /** Writes {@code content} to {@code target} atomically (the target is unchanged on failure). */
    void write(Path target, byte[] content) throws IOException;

    /** The real thing: temp file, fsync, rename. */
    RegistryIo ATOMIC = dev.warmstart.snapshot.writer.AtomicFiles::write;
}
