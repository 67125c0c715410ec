package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.IndexBlocks;
import dev.warmstart.snapshot.format.SnapshotFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where each byte of a good 1.1 index belongs, read independently of the loader from the file's bytes: the header
 * (fields, block table, header CRC), a block (its records or its names), or the trailer.
 */
record IndexRegions(int headerLength, int entryCount, int namesStart, int indexLength, int[] namesEnds) {
    /** Offsets relative to the index, which starts at {@link SnapshotFormat#BLOCK}. */
    static IndexRegions of(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer index = ByteBuffer.wrap(bytes).slice(SnapshotFormat.BLOCK, bytes.length - SnapshotFormat.BLOCK);
        int headerLength = index.getInt(16);
        int entryCount = index.getInt(20);
        int indexLength = (int) index.getLong(48);
        int perBlock = index.getInt(IndexBlocks.RECORDS_PER_BLOCK_OFFSET);
        int blocks = (int) IndexBlocks.blockCount(entryCount, perBlock);
        int[] ends = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            ends[b] = index.getInt(IndexBlocks.TABLE_OFFSET + b * IndexBlocks.TABLE_ENTRY_LENGTH);
        }
        return new IndexRegions(
                headerLength,
                entryCount,
                headerLength + entryCount * SnapshotFormat.INDEX_RECORD_LENGTH,
                indexLength,
                ends);
    }

    int blockCount() {
        return namesEnds.length;
    }

    boolean inHeader(int offset) {
        return offset < headerLength;
    }

    boolean inTrailer(int offset) {
        return offset >= indexLength - SnapshotFormat.INDEX_TRAILER_LENGTH;
    }

    /** @return the block whose records or names hold index byte {@code offset} (neither header nor trailer) */
    int blockOf(int offset) {
        if (offset < namesStart) {
            return (offset - headerLength) / SnapshotFormat.INDEX_RECORD_LENGTH / IndexBlocks.RECORDS_PER_BLOCK;
        }
        int inNames = offset - namesStart;
        for (int b = 0; b < namesEnds.length; b++) {
            if (inNames < namesEnds[b]) {
                return b;
            }
        }
        throw new IllegalArgumentException("offset " + offset + " is past the names section");
    }

    /** @return the entry whose record or name holds index byte {@code offset}, given the entries' names */
    int entryOf(int offset, java.util.List<String> names) {
        if (offset < namesStart) {
            return (offset - headerLength) / SnapshotFormat.INDEX_RECORD_LENGTH;
        }
        int nameEnd = namesStart;
        for (int i = 0; i < names.size(); i++) {
            nameEnd += names.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (offset < nameEnd) {
                return i;
            }
        }
        throw new IllegalArgumentException("offset " + offset + " is past the names section");
    }

    /** @return the first entry of block {@code b} */
    int firstEntry(int b) {
        return b * IndexBlocks.RECORDS_PER_BLOCK;
    }

    /** @return one past the last entry of block {@code b} */
    int endEntry(int b) {
        return Math.min(entryCount, (b + 1) * IndexBlocks.RECORDS_PER_BLOCK);
    }
}
