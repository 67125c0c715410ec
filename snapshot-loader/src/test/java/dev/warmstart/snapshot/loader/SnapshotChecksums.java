package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.IndexBlocks;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.format.TarHeaders;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Makes mutated snapshot bytes pass the cheap checks again (first tar header checksum, index preamble CRC,
 * declared file length, the 1.1 block and header CRCs, the index trailer CRC), so that a fuzzer or a corruption test reaches the bounds checks behind
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
            fixBlockTable(b.slice(base, (int) indexLength));
            int checked = (int) indexLength - SnapshotFormat.INDEX_TRAILER_LENGTH;
            CRC32C crc = new CRC32C();
            crc.update(file, base, checked);
            b.putInt(base + checked, (int) crc.getValue());
        }
        fixTarHeader(file, 0);
        return file;
    }

    /**
     * Format 1.1 and later: recomputes each block's CRC (over whatever its table entry says its names are) and the
     * header CRC. Anything out of range is left as it is: then the reader reports that, which is fine too.
     */
    private static void fixBlockTable(ByteBuffer index) {
        int length = index.capacity();
        if (length < SnapshotFormat.INDEX_HEADER_LENGTH
                || (index.getShort(10) & 0xffff) < IndexBlocks.SINCE_MINOR_VERSION) {
            return;
        }
        int headerLength = index.getInt(16);
        long count = index.getInt(20) & 0xffffffffL;
        int namesLength = index.getInt(40);
        int perBlock = index.getInt(IndexBlocks.RECORDS_PER_BLOCK_OFFSET);
        if (perBlock <= 0 || Integer.bitCount(perBlock) != 1) {
            return;
        }
        long blocks = IndexBlocks.blockCount(count, perBlock);
        if (headerLength < IndexBlocks.headerLength(blocks) || headerLength > length) {
            return;
        }
        long namesStart = headerLength + count * SnapshotFormat.INDEX_RECORD_LENGTH;
        if (namesLength >= 0 && namesStart + namesLength <= length) {
            int namesFrom = 0;
            for (int block = 0; block < blocks; block++) {
                int at = IndexBlocks.TABLE_OFFSET + block * IndexBlocks.TABLE_ENTRY_LENGTH;
                int namesTo = index.getInt(at);
                long first = (long) block * perBlock;
                int records = (int) Math.min(perBlock, count - first);
                if (namesFrom >= 0 && namesFrom <= namesTo && namesTo <= namesLength) {
                    index.putInt(
                            at + 4,
                            IndexBlocks.blockCrc(
                                    index,
                                    (int) (headerLength + first * SnapshotFormat.INDEX_RECORD_LENGTH),
                                    records,
                                    (int) namesStart + namesFrom,
                                    namesTo - namesFrom));
                }
                namesFrom = namesTo;
            }
        }
        int crcAt = headerLength - IndexBlocks.HEADER_CRC_LENGTH;
        index.putInt(crcAt, IndexBlocks.headerCrc(index, crcAt));
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
