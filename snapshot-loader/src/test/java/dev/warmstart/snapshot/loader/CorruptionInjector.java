package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.SnapshotFormat;
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

    /**
     * Recomputes the index's CRCs (the 1.1 block and header CRCs, and the trailer) after the index was changed on
     * purpose, so a crafted value gets past the checksums and reaches the checks behind them, as a hostile file
     * would.
     */
    static void resealIndex(Path file) throws IOException {
        Files.write(file, SnapshotChecksums.fix(Files.readAllBytes(file)));
    }

    /** @return the file offset of field {@code field} of index record {@code i} */
    static long recordField(Path file, int i, int field) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(SnapshotFormat.BLOCK + 16);
            int headerLength = raf.readInt();
            return SnapshotFormat.BLOCK + headerLength + (long) i * SnapshotFormat.INDEX_RECORD_LENGTH + field;
        }
    }
}
