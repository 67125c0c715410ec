package dev.warmstart.snapshot.format;

/**
 * The one definition of the snapshot container format, shared by {@code SnapshotWriter} and the loader.
 * {@code docs/format.md} is its specification; a change here is a change there.
 *
 * <pre>
 * file := tar header(".warmstart/index") | index data | pad to 512
 *         tar header(".warmstart/metadata.json") | metadata JSON | pad to 512
 *         [tar header(".warmstart/signature") | signature | pad to 512]   signed snapshots only: SignatureLayout
 *         for each content entry, sorted by UTF-8 name bytes:
 *             [pax header block(s), when the name is not plain ASCII of at most 100 bytes]
 *             tar header | data | pad to 512
 *         two zero blocks (end of archive)
 *
 * index (all integers big-endian):
 *   0   8  magic "WSINDEX1"
 *   8   2  format major version
 *  10   2  format minor version
 *  12   4  CRC32C of bytes 0..11 (the preamble: lets a reader tell a damaged version from a newer one)
 *  16   4  header length H (96 in version 1.0; 1.1 adds the block table and a header CRC: IndexBlocks)
 *  20   4  entry count N (every entry but the index itself, including the metadata entry)
 *  24   8  total file length in bytes
 *  32   8  created time, seconds since the epoch (UTC)
 *  40   4  names section length
 *  44   4  flags (0)
 *  48   8  index length in bytes, CRC trailer included
 *  56   8  reserved (0) in 1.0; in 1.1 records per block, then reserved (IndexBlocks)
 *  64  32  content hash: SHA-256 over, for each content entry (name not under
 *          {@link #RESERVED_PREFIX}) in index order: u32 name length, name bytes, 32-byte data SHA-256
 *  96  [1.1: block table and header CRC, IndexBlocks]
 *   H  N * 64  entry records, sorted by name (unsigned UTF-8 byte order)
 *        0  4  name offset in the names section
 *        4  4  name length in bytes
 *        8  8  data offset in the file
 *       16  8  data length
 *       24  4  entry kind ({@link #KIND_METADATA}, {@link #KIND_CONFIG_TABLE}, ...)
 *       28  4  reserved (0)
 *       32 32  SHA-256 of the data
 *  ..   names section: UTF-8 names, concatenated
 *  ..   4  CRC32C of every index byte before it
 * </pre>
 */
public final class SnapshotFormat {
    private SnapshotFormat() {}

    /** Major format version this code writes and the newest it reads. */
    public static final int MAJOR_VERSION = 1;
    /**
     * Minor format version this code writes: 1.1, the index with a block table ({@link IndexBlocks}). Readers
     * accept any minor of their major: this one reads 1.0 (checking the whole index at open) and reads 1.1 and
     * later minors with the block table.
     */
    public static final int MINOR_VERSION = IndexBlocks.SINCE_MINOR_VERSION;

    /** Tar block size; every header and every entry's data starts on a multiple of it. */
    public static final int BLOCK = 512;

    /**
     * Earliest creation time a snapshot may carry, in seconds since the epoch: 0000-01-01T00:00:00Z. The id
     * writes the year with four digits ({@code yyyyMMdd'T'HHmmss'Z'}), so a time outside years 0000 to 9999 has
     * no id; a reader reports it as corruption.
     */
    public static final long MIN_CREATED_SECONDS = -62_167_219_200L;

    /** Latest creation time a snapshot may carry: 9999-12-31T23:59:59Z (see {@link #MIN_CREATED_SECONDS}). */
    public static final long MAX_CREATED_SECONDS = 253_402_300_799L;

    /** Name of the first tar entry: the binary index. */
    public static final String INDEX_ENTRY = ".warmstart/index";
    /** Name of the human-readable metadata entry (JSON). */
    public static final String METADATA_ENTRY = ".warmstart/metadata.json";
    /** Names starting with this prefix are bookkeeping, not content: the content hash leaves them out. */
    public static final String RESERVED_PREFIX = ".warmstart/";

    /** The compiled, flat, sorted config key table. */
    public static final String CONFIG_TABLE_ENTRY = "config/table.bin";
    /** The canonical JSON (sorted keys) of the whole config tree, for humans and tools. */
    public static final String CONFIG_JSON_ENTRY = "config/config.json";
    /** Prompt templates live at {@code prompts/<name>.prompt}. */
    public static final String PROMPT_PREFIX = "prompts/";
    /** Suffix of prompt entries, so that prompts {@code a} and {@code a/b} can both be extracted by tar. */
    public static final String PROMPT_SUFFIX = ".prompt";

    /** Index magic, 8 ASCII bytes. */
    public static final byte[] INDEX_MAGIC = {'W', 'S', 'I', 'N', 'D', 'E', 'X', '1'};
    /**
     * Length of the index header in format 1.0: its fixed fields. Format 1.1 places its block table and header
     * CRC after them ({@link IndexBlocks#headerLength}); a reader uses the header length field to find the records.
     */
    public static final int INDEX_HEADER_LENGTH = 96;
    /** Length of one entry record in the index. */
    public static final int INDEX_RECORD_LENGTH = 64;
    /** Length of the CRC32C trailer of the index. */
    public static final int INDEX_TRAILER_LENGTH = 4;

    /** Entry kind: the metadata JSON. */
    public static final int KIND_METADATA = 1;
    /** Entry kind: the config key table. */
    public static final int KIND_CONFIG_TABLE = 2;
    /** Entry kind: the canonical config JSON. */
    public static final int KIND_CONFIG_JSON = 3;
    /** Entry kind: a compiled prompt template. */
    public static final int KIND_PROMPT = 4;
    /** Entry kind: any other file, stored as is. */
    public static final int KIND_FILE = 5;

    /** @return the entry name of the prompt called {@code promptName} */
    public static String promptEntryName(String promptName) {
        return PROMPT_PREFIX + promptName + PROMPT_SUFFIX;
    }
}
