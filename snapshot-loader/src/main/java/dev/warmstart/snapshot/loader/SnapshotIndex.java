package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.IndexBlocks;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.format.TarHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The snapshot's index, read in place from the mapping: the structural checks made at open (tar header, magic,
 * version, lengths, CRCs; layout in {@link SnapshotFormat}, {@link IndexBlocks} and {@code docs/format.md}), then
 * bounds-checked access to each entry's record and a binary search over the sorted names. Every value read from
 * the file is checked before it is used as an offset, so a damaged record is a {@link CorruptSnapshotException}
 * naming the offending value, never an {@link IndexOutOfBoundsException}.
 *
 * <p>Format 1.0 has one CRC32C over the whole index, checked at open: its cost grows with the entry count (8.6 MB
 * for 100,000 entries). Format 1.1 checks only the header and the block table at open, and each block of records
 * (with the names they use) when a record of it is first read: every record access goes through
 * {@link #record(int)}, so no value of a block is used before the block's CRC matched. Which blocks are checked
 * is a bit set allocated on the first check; reading it takes no lock.
 */
final class SnapshotIndex {
    /**
     * How much of the file open reads, with one positional read: the tar header, the index header and a block
     * table of up to 1,971 blocks (126,000 entries). A longer table is read on, in chunks. Reading copies a few
     * KiB; mapping the file instead would cost a mapping whose price grows with the file's size (a 1.1 GiB
     * mapping costs this VM's kernel more page tables and TLB shootdowns than a 2 MiB one, docs/performance.md
     * section 1), and a page fault.
     */
    static final int HEAD_READ = 16 << 10;

    private final String source;
    private final MappedFile mapped;
    /** The index's bytes in the mapping: null until the first record is read (see {@link #index()}). */
    private volatile ByteBuffer index;

    private final int indexLength;
    private final byte[] contentHash;
    private final long fileLength;
    private final int entryCount;
    private final int recordsStart;
    private final int namesStart;
    private final int namesLength;
    private final long createdSeconds;
    private final int formatMajor;
    private final int formatMinor;
    /** log2 of the records per block; -1 for format 1.0, whose whole index was checked at open. */
    private final int blockShift;

    private final int blockCount;
    /**
     * One bit per block, set once the block's CRC matched; null until the first block is checked (an open
     * snapshot that is never looked up retains nothing). Set under this object's lock, read without it: a reader
     * that sees a stale 0 only takes the locked path and checks again, and a bit is set only after a block of
     * immutable bytes checked, so seeing a 1 without synchronisation is safe.
     */
    private volatile int[] checkedBlocks;

    /**
     * Checks the structure from the file's first bytes, read with a positional read (see {@link #HEAD_READ}):
     * nothing is mapped here. The index is mapped on the first read of a record.
     */
    SnapshotIndex(MappedFile mapped, String source) throws IOException {
        this(mapped, source, HEAD_READ);
    }

    /** Reads {@code headRead} bytes first (at least 608): for the tests of a header longer than that read. */
    SnapshotIndex(MappedFile mapped, String source, int headRead) throws IOException {
        this.source = source;
        this.mapped = mapped;
        this.fileLength = mapped.length();
        ByteBuffer head = mapped.head(headRead);
        checkFirstTarHeader(head);

        int base = SnapshotFormat.BLOCK;
        for (int i = 0; i < SnapshotFormat.INDEX_MAGIC.length; i++) {
            if (head.get(base + i) != SnapshotFormat.INDEX_MAGIC[i]) {
                throw corrupt("has a bad index magic: this is not a Warmstart snapshot, or its index is damaged");
            }
        }
        int major = head.getShort(base + 8) & 0xffff;
        int minor = head.getShort(base + 10) & 0xffff;
        int headerLength = head.getInt(base + 16);
        long count = head.getInt(base + 20) & 0xffffffffL;
        // A 1.1 header CRC covers the preamble: when it matches, the version is intact and the preamble's CRC32C
        // need not be computed (CRC32C's class initialisation is about 1 ms of a cold start, IndexBlocks).
        boolean headerChecked = major == SnapshotFormat.MAJOR_VERSION
                && minor >= IndexBlocks.SINCE_MINOR_VERSION
                && headerCrcMatches(head, base, headerLength, count);
        if (!headerChecked) {
            CRC32C preamble = new CRC32C();
            preamble.update(head.slice(base, 12));
            int storedPreambleCrc = head.getInt(base + 12);
            if ((int) preamble.getValue() != storedPreambleCrc) {
                throw corrupt("has a damaged index preamble (CRC32C " + hex((int) preamble.getValue()) + ", stored "
                        + hex(storedPreambleCrc) + ")");
            }
        }
        this.formatMajor = major;
        this.formatMinor = minor;
        if (formatMajor != SnapshotFormat.MAJOR_VERSION) {
            throw Failures.unsupportedVersion(source + ": snapshot format version " + formatMajor + "."
                    + formatMinor + " is not supported; this loader reads format " + SnapshotFormat.MAJOR_VERSION
                    + ".x. "
                    + (formatMajor > SnapshotFormat.MAJOR_VERSION
                            ? "Upgrade snapshot-loader to a version that reads it."
                            : "Rebuild the snapshot with a current snapshot-maven-plugin."));
        }
        long declaredLength = head.getLong(base + 24);
        if (declaredLength != fileLength) {
            throw corrupt(
                    declaredLength > fileLength
                            ? "is truncated: " + fileLength + " bytes of " + declaredLength
                            : "has " + (fileLength - declaredLength) + " unexpected bytes after its end ("
                                    + declaredLength + " bytes expected)");
        }
        long names = head.getInt(base + 40) & 0xffffffffL;
        long indexLength = head.getLong(base + 48);
        long expectedIndexLength =
                headerLength + count * SnapshotFormat.INDEX_RECORD_LENGTH + names + SnapshotFormat.INDEX_TRAILER_LENGTH;
        if (headerLength < SnapshotFormat.INDEX_HEADER_LENGTH
                || indexLength != expectedIndexLength
                || indexLength > Integer.MAX_VALUE
                || indexLength > fileLength - base) {
            throw corrupt("has an inconsistent index header (header " + headerLength + " bytes, " + count
                    + " entries, names " + names + " bytes, index " + indexLength + " bytes, expected "
                    + expectedIndexLength + " bytes within a " + fileLength + "-byte file)");
        }
        this.indexLength = (int) indexLength;
        if (formatMinor >= IndexBlocks.SINCE_MINOR_VERSION) {
            int recordsPerBlock = head.getInt(base + IndexBlocks.RECORDS_PER_BLOCK_OFFSET);
            long blocks = recordsPerBlock > 0 && Integer.bitCount(recordsPerBlock) == 1
                    ? IndexBlocks.blockCount(count, recordsPerBlock)
                    : -1;
            if (blocks < 0 || headerLength < IndexBlocks.headerLength(blocks)) {
                throw corrupt("has an inconsistent index header (" + recordsPerBlock + " records per block, " + count
                        + " entries, header " + headerLength + " bytes)");
            }
            // Covers the preamble, every header field and the block table: what open relies on, and no more.
            if (!headerChecked) {
                int crcAt = headerLength - IndexBlocks.HEADER_CRC_LENGTH;
                int headerCrc = indexCrc(head, crcAt, new CRC32());
                int storedHeaderCrc = indexInt(head, crcAt);
                if (headerCrc != storedHeaderCrc) {
                    throw corrupt("has a damaged index header (CRC-32 " + hex(headerCrc) + ", stored "
                            + hex(storedHeaderCrc) + ")");
                }
            }
            this.blockShift = Integer.numberOfTrailingZeros(recordsPerBlock);
            this.blockCount = (int) blocks;
        } else {
            int checked = (int) indexLength - SnapshotFormat.INDEX_TRAILER_LENGTH;
            int crc = indexCrc(head, checked, new CRC32C());
            int storedCrc = indexInt(head, checked);
            if (crc != storedCrc) {
                throw corrupt("has a damaged index (CRC32C " + hex(crc) + ", stored " + hex(storedCrc) + ")");
            }
            this.blockShift = -1;
            this.blockCount = 0;
        }
        // Read after the CRC check, so a value out of range here was written that way, not damaged on the way.
        long created = head.getLong(base + 32);
        if (created < SnapshotFormat.MIN_CREATED_SECONDS || created > SnapshotFormat.MAX_CREATED_SECONDS) {
            throw corrupt("has a creation time of " + created
                    + " seconds since 1970, outside the years 0000 to 9999 a snapshot id can name; rebuild it");
        }
        this.createdSeconds = created;
        this.contentHash = new byte[32];
        head.get(base + 64, contentHash);
        this.entryCount = (int) count;
        this.recordsStart = headerLength;
        this.namesStart = headerLength + entryCount * SnapshotFormat.INDEX_RECORD_LENGTH;
        this.namesLength = (int) names;
    }

    /**
     * Whether the header CRC of a 1.1 index matches, checked before anything else is read from the header. Tried
     * only when the header length is the one the writer writes for the (unchecked) entry count and records per
     * block, and lies in the first read; otherwise the header is checked the long way, after the preamble.
     */
    private static boolean headerCrcMatches(ByteBuffer head, int base, int headerLength, long count) {
        int recordsPerBlock = head.getInt(base + IndexBlocks.RECORDS_PER_BLOCK_OFFSET);
        if (recordsPerBlock <= 0 || Integer.bitCount(recordsPerBlock) != 1) {
            return false;
        }
        long expected = IndexBlocks.headerLength(IndexBlocks.blockCount(count, recordsPerBlock));
        if (headerLength != expected || headerLength > head.limit() - base) {
            return false;
        }
        int crcAt = headerLength - IndexBlocks.HEADER_CRC_LENGTH;
        return IndexBlocks.headerCrc(head.slice(base, crcAt), crcAt) == head.getInt(base + crcAt);
    }

    /**
     * {@code crc} (CRC-32 for a 1.1 header, CRC32C for a 1.0 index) of the index's first {@code length} bytes: those
     * in {@code head}, then the rest read with positional
     * reads rather than through a mapping: touching every page of a new mapping costs a page fault per page,
     * which is slower than copying the bytes (several times so in virtual machines), and the pages a service never
     * looks up are then never mapped in. A rest of up to 64 KiB (a long block table) is read into the heap at
     * once; a longer one (a 1.0 index) through a 64 KiB direct buffer, which spares a copy per chunk.
     */
    private int indexCrc(ByteBuffer head, int length, Checksum crc) throws IOException {
        int base = SnapshotFormat.BLOCK;
        int inHead = Math.min(length, head.limit() - base);
        crc.update(head.slice(base, inHead));
        if (inHead == length) {
            return (int) crc.getValue();
        }
        FileChannel channel = mapped.channel();
        int rest = length - inHead;
        ByteBuffer buffer = rest <= (1 << 16) ? ByteBuffer.allocate(rest) : ByteBuffer.allocateDirect(1 << 16);
        long at = (long) base + inHead;
        long end = (long) base + length;
        while (at < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw corrupt("is truncated inside its index (at offset " + at + " of " + end + ")");
            }
            buffer.flip();
            crc.update(buffer);
            at += n;
        }
        return (int) crc.getValue();
    }

    /** @return the int at {@code offset} in the index: from {@code head}, or read from the file past it */
    private int indexInt(ByteBuffer head, int offset) throws IOException {
        int at = SnapshotFormat.BLOCK + offset;
        if (at + 4 <= head.limit()) {
            return head.getInt(at);
        }
        ByteBuffer value = ByteBuffer.allocate(4);
        while (value.hasRemaining()) {
            if (mapped.channel().read(value, at + value.position()) < 0) {
                throw corrupt("is truncated inside its index (at offset " + at + ")");
            }
        }
        return value.getInt(0);
    }

    /**
     * The index's bytes, mapping the file on the first call: open checks what it needs from the bytes it read
     * (see the constructor), so a snapshot that is opened and never looked up is never mapped.
     */
    private ByteBuffer index() {
        ByteBuffer b = index;
        if (b == null) {
            try {
                b = mapped.slice(SnapshotFormat.BLOCK, indexLength);
            } catch (IOException e) {
                throw Failures.snapshot(source + ": cannot map its index: " + e.getMessage(), e);
            }
            // Racing threads may each make a view; every one shows the same bytes of the one mapping.
            index = b;
        }
        return b;
    }

    private void checkFirstTarHeader(ByteBuffer head) {
        long computed = TarHeaders.computeChecksum(head, 0);
        long stored = TarHeaders.parseOctal(head, 148, 8);
        if (computed != stored) {
            throw corrupt("has a damaged first tar header (checksum " + computed + ", stored " + stored
                    + "): not a Warmstart snapshot, or damaged");
        }
        byte[] name = TarHeaders.nameField(head, 0);
        if (!Arrays.equals(name, SnapshotFormat.INDEX_ENTRY.getBytes(StandardCharsets.US_ASCII))) {
            throw corrupt("is not a Warmstart snapshot: its first tar entry is '"
                    + new String(name, StandardCharsets.UTF_8) + "', expected '" + SnapshotFormat.INDEX_ENTRY + "'");
        }
    }

    int entryCount() {
        return entryCount;
    }

    int length() {
        return indexLength;
    }

    long createdSeconds() {
        return createdSeconds;
    }

    int formatMajor() {
        return formatMajor;
    }

    int formatMinor() {
        return formatMinor;
    }

    byte[] contentHashBytes() {
        return contentHash.clone();
    }

    String name(int i) {
        return new String(nameBytes(i), StandardCharsets.UTF_8);
    }

    byte[] nameBytes(int i) {
        int start = nameStart(i);
        byte[] out = new byte[index().getInt(record(i) + 4)];
        index().get(start, out);
        return out;
    }

    int kind(int i) {
        return index().getInt(record(i) + 24);
    }

    byte[] sha256(int i) {
        byte[] sha = new byte[32];
        index().get(record(i) + 32, sha);
        return sha;
    }

    long dataOffset(int i) {
        checkBounds(i);
        return index().getLong(record(i) + 8);
    }

    long dataLength(int i) {
        checkBounds(i);
        return index().getLong(record(i) + 16);
    }

    /** @return the position of the entry named {@code key} (UTF-8), or -1 */
    int find(byte[] key) {
        int lo = 0;
        int hi = entryCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareName(mid, key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** @return the position of the first entry whose name is not below {@code key} */
    int lowerBound(byte[] key) {
        int lo = 0;
        int hi = entryCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareName(mid, key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    boolean startsWith(int i, byte[] prefix) {
        int start = nameStart(i);
        ByteBuffer names = index();
        int len = names.getInt(record(i) + 4);
        if (len < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (names.get(start + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    /** @return a {@link CorruptSnapshotException} naming the file (typed so, see {@link Failures}) */
    RuntimeException corrupt(String what) {
        return Failures.corrupt(source + " " + what);
    }

    private int compareName(int i, byte[] key) {
        ByteBuffer names = index();
        int r = record(i);
        int len = names.getInt(r + 4);
        return compareBytes(names, nameStart(i, r, len), len, key);
    }

    /**
     * Compares {@code length} bytes at {@code offset} of {@code buffer} with {@code key}, as unsigned bytes, the
     * shorter first when one is a prefix of the other: negative, zero or positive. Eight bytes per read where it
     * can: a lookup in a cold JVM runs in the interpreter, where each {@code ByteBuffer} read is a chain of calls,
     * so comparing a long at a time makes a service's first lookups several times cheaper, and the same holds for
     * compiled code. Big-endian longs compared as unsigned numbers order as their bytes do. The caller has checked
     * the range.
     */
    static int compareBytes(ByteBuffer buffer, int offset, int length, byte[] key) {
        int n = Math.min(length, key.length);
        int k = 0;
        for (; k + Long.BYTES <= n; k += Long.BYTES) {
            long stored = buffer.getLong(offset + k);
            long wanted = bigEndianLong(key, k);
            if (stored != wanted) {
                return Long.compareUnsigned(stored, wanted);
            }
        }
        for (; k < n; k++) {
            int c = (buffer.get(offset + k) & 0xff) - (key[k] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return length - key.length;
    }

    private static long bigEndianLong(byte[] bytes, int at) {
        return (bytes[at] & 0xffL) << 56
                | (bytes[at + 1] & 0xffL) << 48
                | (bytes[at + 2] & 0xffL) << 40
                | (bytes[at + 3] & 0xffL) << 32
                | (bytes[at + 4] & 0xffL) << 24
                | (bytes[at + 5] & 0xffL) << 16
                | (bytes[at + 6] & 0xffL) << 8
                | (bytes[at + 7] & 0xffL);
    }

    /** @return where entry {@code i}'s name starts in the index, once its offset and length are checked */
    private int nameStart(int i) {
        int r = record(i);
        return nameStart(i, r, index().getInt(r + 4));
    }

    /** {@link #nameStart(int)} of entry {@code i}, whose record is at {@code r} and name {@code len} bytes long. */
    private int nameStart(int i, int r, int len) {
        int off = index().getInt(r);
        if (off < 0 || len < 0 || (long) off + len > namesLength) {
            throw corrupt("has a damaged index: entry " + i + " names bytes " + off + "+" + len
                    + " outside the names section (" + namesLength + " bytes)");
        }
        return namesStart + off;
    }

    private void checkBounds(int i) {
        int r = record(i);
        long off = index().getLong(r + 8);
        long len = index().getLong(r + 16);
        // Written as a subtraction: off + len overflows for an offset near Long.MAX_VALUE.
        if (off < 0 || len < 0 || len > Integer.MAX_VALUE || off > fileLength - len) {
            throw corrupt("has a damaged index: entry " + i + " claims bytes " + off + "+" + len + " of a " + fileLength
                    + "-byte file");
        }
    }

    /** @return where entry {@code i}'s record starts in the index, once the CRC of its block has matched */
    private int record(int i) {
        if (blockShift >= 0) {
            int block = i >>> blockShift;
            int[] checked = checkedBlocks;
            if (checked == null || (checked[block >>> 5] & (1 << block)) == 0) {
                checkBlock(block);
            }
        }
        return recordsStart + i * SnapshotFormat.INDEX_RECORD_LENGTH;
    }

    /**
     * Checks every byte of the index, whatever was checked before: each block against its CRC, that the blocks'
     * names cover the whole names section, and the CRC32C trailer of the whole index (the one a 1.0 reader checks
     * at open).
     */
    void verifyAll() {
        if (blockShift >= 0) {
            for (int b = 0; b < blockCount; b++) {
                checkBlockCrc(b);
            }
            int namesCovered = blockCount == 0 ? 0 : namesEnd(blockCount - 1);
            if (namesCovered != namesLength) {
                throw corrupt("has a damaged index: its block table covers " + namesCovered + " bytes of a "
                        + namesLength + "-byte names section");
            }
        }
        ByteBuffer all = index();
        int checked = indexLength - SnapshotFormat.INDEX_TRAILER_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(all.slice(0, checked));
        int storedCrc = all.getInt(checked);
        if ((int) crc.getValue() != storedCrc) {
            throw corrupt(
                    "has a damaged index (CRC32C " + hex((int) crc.getValue()) + ", stored " + hex(storedCrc) + ")");
        }
    }

    /** Checks one block and remembers it; a block that fails is never remembered, so every later use fails too. */
    private synchronized void checkBlock(int block) {
        int[] checked = checkedBlocks;
        if (checked != null && (checked[block >>> 5] & (1 << block)) != 0) {
            return;
        }
        checkBlockCrc(block);
        if (checked == null) {
            checked = new int[(blockCount + 31) >>> 5];
        }
        checked[block >>> 5] |= 1 << block;
        // Volatile write after the bit: a thread that then reads the field sees the array with the bit set.
        checkedBlocks = checked;
    }

    private void checkBlockCrc(int block) {
        int first = block << blockShift;
        int count = Math.min(1 << blockShift, entryCount - first);
        int namesFrom = block == 0 ? 0 : namesEnd(block - 1);
        int namesTo = namesEnd(block);
        if (namesFrom < 0 || namesTo < namesFrom || namesTo > namesLength) {
            throw corrupt("has a damaged index: block " + block + " names bytes " + namesFrom + " to " + namesTo
                    + " of a " + namesLength + "-byte names section");
        }
        int computed = IndexBlocks.blockCrc(
                index(),
                recordsStart + first * SnapshotFormat.INDEX_RECORD_LENGTH,
                count,
                namesStart + namesFrom,
                namesTo - namesFrom);
        int stored = index().getInt(tableEntry(block) + 4);
        if (computed != stored) {
            throw corrupt("has a damaged index block " + block + " of " + blockCount + " (entries " + first + " to "
                    + (first + count - 1) + "; CRC-32 " + hex(computed) + ", stored " + hex(stored)
                    + "); rebuild or re-download it");
        }
    }

    private int namesEnd(int block) {
        return index().getInt(tableEntry(block));
    }

    private static int tableEntry(int block) {
        return IndexBlocks.TABLE_OFFSET + block * IndexBlocks.TABLE_ENTRY_LENGTH;
    }

    private static String hex(int crc) {
        return String.format("%08x", crc);
    }
}
