package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.ConfigTableLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the compiled key table ({@link ConfigTableLayout}, {@code docs/format.md} §6) in place: the header checks,
 * a binary search over the sorted keys comparing bytes where they lie, and bounds-checked access to each record's
 * key and value. Record positions ({@code r}) are indices into the sorted records.
 *
 * <p>When the table lies in a mapped file, a read that faults because the file shrank under the mapping is
 * reported as the {@link CorruptSnapshotException} of {@link MappedFile#fault}, and a read after the snapshot was
 * closed and unmapped (Java 22+) as the {@link IllegalStateException} of {@link MappedFile#closed}.
 */
final class ConfigTable {
    private final ByteBuffer table;
    private final String source;
    private final MappedFile mapped;
    private final int count;
    private final int heapStart;
    private final int heapLength;

    /**
     * @param mapped the file the table is a slice of, or null when it is not mapped
     */
    ConfigTable(ByteBuffer table, String source, MappedFile mapped) {
        this.table = table;
        this.source = source;
        this.mapped = mapped;
        try {
            int length = table.capacity();
            if (length < ConfigTableLayout.HEADER_LENGTH) {
                throw corrupt("is " + length + " bytes, shorter than its " + ConfigTableLayout.HEADER_LENGTH
                        + "-byte header");
            }
            for (int i = 0; i < ConfigTableLayout.MAGIC.length; i++) {
                if (table.get(i) != ConfigTableLayout.MAGIC[i]) {
                    throw corrupt("has a bad magic (expected "
                            + new String(ConfigTableLayout.MAGIC, StandardCharsets.US_ASCII) + ")");
                }
            }
            long n = table.getInt(8) & 0xffffffffL;
            long heap = table.getInt(12) & 0xffffffffL;
            long expected = ConfigTableLayout.HEADER_LENGTH + n * ConfigTableLayout.RECORD_LENGTH + heap;
            if (expected != length) {
                throw corrupt("declares " + n + " keys and a " + heap + "-byte heap (" + expected + " bytes) but is "
                        + length + " bytes");
            }
            this.count = (int) n;
            this.heapStart = ConfigTableLayout.HEADER_LENGTH + count * ConfigTableLayout.RECORD_LENGTH;
            this.heapLength = (int) heap;
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    /** @return the number of keys */
    int count() {
        return count;
    }

    /** @return the record of {@code key} (UTF-8), or -1 */
    int find(byte[] key) {
        try {
            int lo = 0;
            int hi = count - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = compareKey(mid, key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    /** @return the first record whose key is not below {@code key} */
    int lowerBound(byte[] key) {
        try {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (compareKey(mid, key) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    boolean keyStartsWith(int r, byte[] start) {
        try {
            int rec = record(r);
            int len = table.getInt(rec + 4);
            if (len < start.length) {
                return false;
            }
            int off = heapSlice(table.getInt(rec), len, r);
            for (int k = 0; k < start.length; k++) {
                if (table.get(off + k) != start[k]) {
                    return false;
                }
            }
            return true;
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    /** @return record {@code r}'s key */
    String key(int r) {
        try {
            int rec = record(r);
            int len = table.getInt(rec + 4);
            return utf8(heapSlice(table.getInt(rec), len, r), len);
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    /** @return record {@code r}'s value bytes as UTF-8 text, placeholders unresolved */
    String text(int r) {
        try {
            int rec = record(r);
            int len = table.getInt(rec + 12);
            return utf8(heapSlice(table.getInt(rec + 8), len, r), len);
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    /** @return record {@code r}'s value type, one of {@code ConfigTableLayout.TYPE_*} */
    int type(int r) {
        try {
            return table.get(record(r) + 16);
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    long longValue(int r) {
        try {
            return table.getLong(valueOffset(r, 8));
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    double doubleValue(int r) {
        try {
            return table.getDouble(valueOffset(r, 8));
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    boolean booleanValue(int r) {
        try {
            return table.get(valueOffset(r, 1)) != 0;
        } catch (InternalError | IllegalStateException e) {
            throw fault(e);
        }
    }

    RuntimeException corrupt(String what) {
        return Failures.corrupt(source + ": the config table " + what + "; rebuild the snapshot");
    }

    private int compareKey(int r, byte[] key) {
        int rec = record(r);
        int len = table.getInt(rec + 4);
        // The index's comparison (eight bytes per read), not a class of its own: one class less to load at start-up.
        return SnapshotIndex.compareBytes(table, heapSlice(table.getInt(rec), len, r), len, key);
    }

    private int valueOffset(int r, int expectedLength) {
        int rec = record(r);
        int len = table.getInt(rec + 12);
        if (len != expectedLength) {
            throw corrupt("has a " + len + "-byte value where " + expectedLength + " bytes belong (record " + r + ")");
        }
        return heapSlice(table.getInt(rec + 8), len, r);
    }

    private int record(int r) {
        return ConfigTableLayout.HEADER_LENGTH + r * ConfigTableLayout.RECORD_LENGTH;
    }

    /** Bounds-checks a heap range of record {@code r} and returns its absolute offset in the table. */
    private int heapSlice(int offset, int length, int r) {
        if (offset < 0 || length < 0 || (long) offset + length > heapLength) {
            throw corrupt("has record " + r + " pointing outside its heap (" + offset + "+" + length + " of "
                    + heapLength + " bytes)");
        }
        return heapStart + offset;
    }

    private String utf8(int offset, int length) {
        byte[] bytes = new byte[length];
        table.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Explains a failed read of the mapping: the file shrank under it ({@link InternalError}), or it was closed
     * and, on Java 22+, unmapped ({@link IllegalStateException}).
     */
    private RuntimeException fault(Throwable e) {
        if (e instanceof IllegalStateException closed) {
            return mapped == null ? closed : mapped.closed(closed);
        }
        InternalError error = (InternalError) e;
        if (mapped == null) {
            throw error;
        }
        return mapped.fault(error);
    }
}
