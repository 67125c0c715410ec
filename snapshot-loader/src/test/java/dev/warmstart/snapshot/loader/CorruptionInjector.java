package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Damages snapshot files the way disks, networks and half-finished copies do. */
final class CorruptionInjector {
    private CorruptionInjector() {}

    static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x5a);
        }
    }

    static void writeBytes(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bytes);
        }
    }

    static Path truncatedCopy(Path file, long length, Path target) throws IOException {
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
            raf.setLength(length);
        }
        return target;
    }

    static Path copy(Path file, Path target) throws IOException {
        return Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
