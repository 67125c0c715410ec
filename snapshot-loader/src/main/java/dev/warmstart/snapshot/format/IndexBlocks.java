package dev.warmstart.snapshot.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The index's block table (format 1.1, {@code docs/format.md} section 2.1): the index records are cut into
 * blocks of {@code B} consecutive records, and each block has a CRC-32 of its records and of the names those
 * records use. A reader checks the header and this table at open, each block on the first lookup that touches
 * it, and every block in a full verification, so opening costs the same for 100 entries or 100,000. The writer
 * and the loader both use this class, so what a block's CRC covers is written down once.
 *
 * <pre>
 * index of format 1.1 (all integers big-endian; fields not listed are as in 1.0, see SnapshotFormat):
 *   56   4  records per block B, a power of two ({@link #RECORDS_PER_BLOCK} as written)
 *   60   4  reserved (0)
 *   96  8·K block table, K = ceil(N / B) entries, one per block b:
 *         +0  4  names end: offset in the names section just past the names of block b's records
 *                (block b's names are the bytes from block b-1's names end, or 0, up to this)
 *         +4  4  CRC-32 of block b's records (64·min(B, N − b·B) bytes from H + 64·b·B), then of its names
 *   H-4   4  header CRC: CRC-32 of index bytes 0..H-5 (preamble, header and block table)
 *   H       entry records, names section and CRC32C trailer of the whole index, exactly as in 1.0
 * with H = 96 + 8·K + 4 as written (a reader accepts a larger H: later minors may add header fields before the
 * header CRC).
 * </pre>
 *
 * <p>The whole-index trailer is still written, so a 1.0 reader reads a 1.1 file (it reads any minor of major 1,
 * checking that trailer at open); a 1.1 reader checks it only in a full verification.
 *
 * <p>The header and block CRCs are CRC-32 ({@link CRC32}, the zip polynomial), not the CRC32C of the preamble and
 * the trailer: a JVM started from a jar has already loaded and initialised {@code CRC32} to read it, while
 * {@code CRC32C}'s class initialisation computes its tables in the interpreter (about 1 ms of a service's cold
 * start, which no class-data archive removes). Both are intrinsics once initialised. Because the header CRC covers
 * the preamble, a 1.1 reader whose header CRC matches needs no CRC32C at open at all.
 */
public final class IndexBlocks {
    private IndexBlocks() {}

    /** The first minor version of major 1 whose index has a block table; minor 0 has none. */
    public static final int SINCE_MINOR_VERSION = 1;
    /**
     * Records per block the writer writes: 64 records are one 4 KiB page, so the first lookup checks about
     * {@code log2(N / 64)} small blocks, and the table checked at open is 8 bytes per 64 entries (12.5 KB for
     * 100,000 entries).
     */
    public static final int RECORDS_PER_BLOCK = 64;
    /** Offset of the records-per-block field in the index header (reserved, 0, in format 1.0). */
    public static final int RECORDS_PER_BLOCK_OFFSET = 56;
    /** Offset of the block table in the index: right after the 1.0 header fields. */
    public static final int TABLE_OFFSET = SnapshotFormat.INDEX_HEADER_LENGTH;
    /** Length of one block table entry: names end, CRC-32. */
    public static final int TABLE_ENTRY_LENGTH = 8;
    /** Length of the header CRC that ends the header, after the block table. */
    public static final int HEADER_CRC_LENGTH = 4;

    /** @return the number of blocks of {@code entryCount} records, {@code recordsPerBlock} to a block */
    public static long blockCount(long entryCount, int recordsPerBlock) {
        return (entryCount + recordsPerBlock - 1) / recordsPerBlock;
    }

    /** @return the header length H of a 1.1 index with {@code blockCount} blocks, as the writer writes it */
    public static long headerLength(long blockCount) {
        return TABLE_OFFSET + blockCount * TABLE_ENTRY_LENGTH + HEADER_CRC_LENGTH;
    }

    /**
     * The header CRC stored at {@code H - 4}: the CRC-32 of the index's first {@code H - 4} bytes (preamble, header
     * fields and block table).
     *
     * @param index the index bytes, from its magic
     * @param length how many bytes it covers, {@code H - 4}
     */
    public static int headerCrc(ByteBuffer index, int length) {
        CRC32 crc = new CRC32();
        crc.update(index.slice(0, length));
        return (int) crc.getValue();
    }

    /**
     * The CRC-32 stored for one block: over its records, then over its names.
     *
     * @param index the index bytes, from its magic
     * @param recordsOffset where the block's first record starts in {@code index}
     * @param recordCount how many records the block has
     * @param namesOffset where the block's names start in {@code index}
     * @param namesLength how many bytes its names take
     */
    public static int blockCrc(ByteBuffer index, int recordsOffset, int recordCount, int namesOffset, int namesLength) {
        CRC32 crc = new CRC32();
        crc.update(index.slice(recordsOffset, recordCount * SnapshotFormat.INDEX_RECORD_LENGTH));
        crc.update(index.slice(namesOffset, namesLength));
        return (int) crc.getValue();
    }
}
