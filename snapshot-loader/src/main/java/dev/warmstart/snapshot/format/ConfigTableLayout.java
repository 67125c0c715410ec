package dev.warmstart.snapshot.format;

/**
 * Layout of the compiled config key table (entry {@code config/table.bin}); see {@code docs/format.md} §6.
 *
 * <pre>
 * offset      size  field (big-endian)
 *  0           8    magic "WSCFG001"
 *  8           4    record count N
 * 12           4    heap length
 * 16        20·N    records, sorted by key (unsigned UTF-8 bytes):
 *                     +0  4  key offset in the heap
 *                     +4  4  key length in bytes
 *                     +8  4  value offset in the heap
 *                    +12  4  value length in bytes
 *                    +16  1  value type (TYPE_*)
 *                    +17  3  reserved (0)
 * 16+20·N     heap  key and value bytes
 * </pre>
 */
public final class ConfigTableLayout {
    private ConfigTableLayout() {}

    /** Magic of the table, 8 ASCII bytes. */
    public static final byte[] MAGIC = {'W', 'S', 'C', 'F', 'G', '0', '0', '1'};
    /** Length of the table header. */
    public static final int HEADER_LENGTH = 16;
    /** Length of one record. */
    public static final int RECORD_LENGTH = 20;

    /** UTF-8 text. */
    public static final int TYPE_STRING = 1;
    /** UTF-8 text holding {@code ${env:…}}/{@code ${sys:…}} placeholders or <code>$${</code> escapes: resolved at lookup. */
    public static final int TYPE_STRING_WITH_PLACEHOLDERS = 2;
    /** 8-byte signed integer. */
    public static final int TYPE_LONG = 3;
    /** 8-byte IEEE 754 double. */
    public static final int TYPE_DOUBLE = 4;
    /** A number that fits neither: its decimal text (ASCII), e.g. a 30-digit integer. */
    public static final int TYPE_BIG_NUMBER = 5;
    /** One byte, 0 or 1. */
    public static final int TYPE_BOOLEAN = 6;
    /** No value bytes. */
    public static final int TYPE_NULL = 7;
    /** An empty list: no value bytes (a non-empty list is represented by its elements' keys). */
    public static final int TYPE_EMPTY_LIST = 8;
    /** An empty map: no value bytes (a non-empty map is represented by its children's keys). */
    public static final int TYPE_EMPTY_MAP = 9;

    /** @return the table of a snapshot without config: a header declaring no records and an empty heap */
    public static byte[] emptyTable() {
        byte[] table = new byte[HEADER_LENGTH];
        System.arraycopy(MAGIC, 0, table, 0, MAGIC.length);
        return table;
    }
}
