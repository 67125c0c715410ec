package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.format.TarHeaders;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Makes mutated snapshot bytes pass the cheap checks at open again (first tar header checksum, index preamble
 * CRC, declared file length, index CRC), so that a fuzzer or a corruption test reaches the bounds checks behind
 * them instead of being stopped by a CRC mismatch every time.
 */
final class SnapshotChecksums {
    private SnapshotChecksums() {}

    static byte[] fix(byte[] file) {
        int minimum = SnapshotFormat.BLOCK + SnapshotFormat.INDEX_HEADER_LENGTH;
        if (file.length < minimum) {
            return file;
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        int base = SnapshotFormat.BLOCK;
        b.putLong(base + 24, file.length);
        CRC32C preamble = new CRC32C();
        preamble.update(file, base, 12);
        b.putInt(base + 12, (int) preamble.getValue());
        long indexLength = b.getLong(base + 48);
        if (indexLength >= SnapshotFormat.INDEX_TRAILER_LENGTH && base + indexLength <= file.length) {
            int checked = (int) indexLength - SnapshotFormat.INDEX_TRAILER_LENGTH;
            CRC32C crc = new CRC32C();
            crc.update(file, base, checked);
            b.putInt(base + checked, (int) crc.getValue());
        }
        fixTarHeader(file, 0);
        return file;
    }

    /** Rewrites the checksum field of the tar header at {@code offset} to match its (possibly mutated) bytes. */
    static void fixTarHeader(byte[] file, int offset) {
        if (offset + SnapshotFormat.BLOCK > file.length) {
            return;
        }
        long sum = TarHeaders.computeChecksum(ByteBuffer.wrap(file), offset);
        String octal = String.format("%06o", sum & 0777777);
        for (int i = 0; i < 6; i++) {
            file[offset + 148 + i] = (byte) octal.charAt(i);
        }
        file[offset + 154] = 0;
        file[offset + 155] = ' ';
    }
}
