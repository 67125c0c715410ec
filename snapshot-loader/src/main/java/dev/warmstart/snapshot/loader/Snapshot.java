package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.format.TarHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32C;

/**
 * An open, memory-mapped snapshot: config values, prompt templates and raw entries served straight from the
 * mapped file.
 *
 * <p>Opening maps the file and checks its structure (tar header, magic, version, total length and the index's
 * CRC32C); it reads nothing else and creates no object per entry, so its cost does not grow with the data. Entry
 * data is checked against its SHA-256 by {@link #verify()} (everything) or, with
 * {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS}, on each entry's first use.
 *
 * <p>Thread-safe. Closing while other threads read is safe: the mapping is released by the garbage collector
 * once nothing refers to it, never unmapped under a reader; methods called after {@link #close()} throw
 * {@link IllegalStateException}. Buffers, {@link Config}s and {@link PromptTemplate}s obtained before closing
 * stay readable.
 *
 * <pre>{@code
 * try (Snapshot snapshot = Snapshot.open(Path.of("app-snapshot.tar"))) {
 *     String model = snapshot.config().getString("model.name");
 *     String prompt = snapshot.prompt("support/answer").render(Map.of("question", q));
 * }
 * }</pre>
 */
public final class Snapshot implements AutoCloseable {
    /** Size of each mapped region: files larger than this are mapped as several regions. */
    static final long DEFAULT_REGION_SIZE = 1L << 30;

    private final Path file;
    private final String source;
    private final FileChannel channel;
    private final MappedByteBuffer[] regions;
    private final long regionSize;
    private final ByteBuffer index;
    private final long fileLength;
    private final int entryCount;
    private final int recordsStart;
    private final int namesStart;
    private final int namesLength;
    private final long createdSeconds;
    private final int formatMajor;
    private final int formatMinor;
    private final AtomicLongArray verifiedEntries;
    private volatile boolean closed;
    private volatile SnapshotMetadata metadata;
    private volatile Config config;
    private volatile Map<String, PromptTemplate> prompts;

    private Snapshot(Path file, FileChannel channel, long regionSize, boolean verifyOnAccess) throws IOException {
        this.file = file;
        this.source = file.toString();
        this.channel = channel;
        this.regionSize = regionSize;
        this.fileLength = channel.size();
        long minimum = SnapshotFormat.BLOCK + SnapshotFormat.INDEX_HEADER_LENGTH;
        if (fileLength < minimum) {
            throw corrupt("is " + fileLength + " bytes, too short to be a snapshot (truncated?)");
        }
        int regionCount = (int) ((fileLength + regionSize - 1) / regionSize);
        this.regions = new MappedByteBuffer[regionCount];
        for (int i = 0; i < regionCount; i++) {
            long start = i * regionSize;
            regions[i] = channel.map(FileChannel.MapMode.READ_ONLY, start, Math.min(regionSize, fileLength - start));
        }
        ByteBuffer head = regions[0];
        checkFirstTarHeader(head);

        int base = SnapshotFormat.BLOCK;
        for (int i = 0; i < SnapshotFormat.INDEX_MAGIC.length; i++) {
            if (head.get(base + i) != SnapshotFormat.INDEX_MAGIC[i]) {
                throw corrupt("has a bad index magic: this is not a Warmstart snapshot, or its index is damaged");
            }
        }
        CRC32C preamble = new CRC32C();
        preamble.update(head.slice(base, 12));
        if ((int) preamble.getValue() != head.getInt(base + 12)) {
            throw corrupt("has a damaged index preamble (CRC32C mismatch)");
        }
        this.formatMajor = head.getShort(base + 8) & 0xffff;
        this.formatMinor = head.getShort(base + 10) & 0xffff;
        if (formatMajor != SnapshotFormat.MAJOR_VERSION) {
            throw new UnsupportedFormatVersionException(source + ": snapshot format version " + formatMajor + "."
                    + formatMinor + " is not supported; this loader reads format " + SnapshotFormat.MAJOR_VERSION
                    + ".x. "
                    + (formatMajor > SnapshotFormat.MAJOR_VERSION
                            ? "Upgrade snapshot-loader to a version that reads it."
                            : "Rebuild the snapshot with a current snapshot-maven-plugin."));
        }
        int headerLength = head.getInt(base + 16);
        long count = head.getInt(base + 20) & 0xffffffffL;
        long declaredLength = head.getLong(base + 24);
        if (declaredLength != fileLength) {
            throw corrupt(
                    declaredLength > fileLength
                            ? "is truncated: " + fileLength + " bytes of " + declaredLength
                            : "has " + (fileLength - declaredLength) + " unexpected bytes after its end ("
                                    + declaredLength + " bytes expected)");
        }
        this.createdSeconds = head.getLong(base + 32);
        long names = head.getInt(base + 40) & 0xffffffffL;
        long indexLength = head.getLong(base + 48);
        long expectedIndexLength =
                headerLength + count * SnapshotFormat.INDEX_RECORD_LENGTH + names + SnapshotFormat.INDEX_TRAILER_LENGTH;
        if (headerLength < SnapshotFormat.INDEX_HEADER_LENGTH
                || indexLength != expectedIndexLength
                || indexLength > Integer.MAX_VALUE
                || base + indexLength > fileLength) {
            throw corrupt("has an inconsistent index header (header " + headerLength + " bytes, " + count
                    + " entries, names " + names + " bytes, index " + indexLength + " bytes)");
        }
        // The index is a slice of the first region (one mmap per open, not two) unless it is larger than that.
        this.index = base + indexLength <= regions[0].capacity()
                ? regions[0].slice(base, (int) indexLength)
                : channel.map(FileChannel.MapMode.READ_ONLY, base, indexLength);
        int checked = (int) indexLength - SnapshotFormat.INDEX_TRAILER_LENGTH;
        if (indexCrc(channel, base, checked) != index.getInt(checked)) {
            throw corrupt("has a damaged index (CRC32C mismatch)");
        }
        this.entryCount = (int) count;
        this.recordsStart = headerLength;
        this.namesStart = headerLength + entryCount * SnapshotFormat.INDEX_RECORD_LENGTH;
        this.namesLength = (int) names;
        this.verifiedEntries = verifyOnAccess ? new AtomicLongArray((entryCount + 63) / 64) : null;
    }

    /**
     * CRC32C of the index's first {@code length} bytes, read with positional reads into a small direct buffer
     * rather than through the fresh mapping: touching every page of a new mapping costs a page fault per page,
     * which is slower than copying the bytes (several times so in virtual machines), and the pages a service never
     * looks up are then never mapped in.
     */
    private int indexCrc(FileChannel channel, long position, int length) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.min(length, 1 << 16));
        long at = position;
        long end = position + length;
        while (at < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw corrupt("is truncated inside its index");
            }
            buffer.flip();
            crc.update(buffer);
            at += n;
        }
        return (int) crc.getValue();
    }

    /**
     * Opens and maps a snapshot file.
     *
     * @param file the snapshot tar
     * @param options optional behaviour, such as {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS}
     * @return the open snapshot; close it when done
     * @throws IOException when the file cannot be read
     * @throws CorruptSnapshotException when the file's structure is damaged or truncated
     * @throws UnsupportedFormatVersionException when the file's format major version is not this loader's
     */
    public static Snapshot open(Path file, SnapshotOption... options) throws IOException {
        return open(file, DEFAULT_REGION_SIZE, options);
    }

    /**
     * Opens a snapshot and refuses it unless {@code trust} accepts its signature (see {@link TrustPolicy#check}).
     * Then, unless {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS} is given, checks every byte as {@link #verify()}
     * does, so that nothing but the signed content is ever served.
     *
     * @param file the snapshot tar
     * @param trust the keys whose snapshots are accepted
     * @param options optional behaviour
     * @return the open, trusted snapshot; close it when done
     * @throws IOException when the file cannot be read
     * @throws UntrustedSnapshotException when it is unsigned, signed by an unknown key, or its signature is bad
     * @throws CorruptSnapshotException when the file is damaged
     */
    public static Snapshot open(Path file, TrustPolicy trust, SnapshotOption... options) throws IOException {
        Snapshot snapshot = open(file, options);
        try {
            trust.check(snapshot);
            if (snapshot.verifiedEntries == null) {
                snapshot.verify();
            }
            return snapshot;
        } catch (RuntimeException e) {
            snapshot.close();
            throw e;
        }
    }

    static Snapshot open(Path file, long regionSize, SnapshotOption... options) throws IOException {
        if (regionSize < 4096 || regionSize % SnapshotFormat.BLOCK != 0 || regionSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region size must be a multiple of 512 between 4 KiB and 2 GiB");
        }
        boolean verifyOnAccess = Arrays.asList(options).contains(SnapshotOption.VERIFY_ON_FIRST_ACCESS);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new Snapshot(file, channel, regionSize, verifyOnAccess);
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    /** @return the file this snapshot was opened from */
    public Path file() {
        return file;
    }

    /** @return the snapshot id, {@code yyyyMMdd'T'HHmmss'Z'-<12 hex>}, read from the index (no JSON parsing) */
    public String id() {
        ensureOpen();
        return ContentHash.snapshotId(createdSeconds, contentHashBytes());
    }

    /** @return the content hash as lower-case hex, read from the index */
    public String contentHash() {
        ensureOpen();
        return ContentHash.hex(contentHashBytes());
    }

    /** @return when the snapshot was built */
    public Instant created() {
        ensureOpen();
        return Instant.ofEpochSecond(createdSeconds);
    }

    /** @return the file's format version, {@code major.minor} */
    public String formatVersion() {
        return formatMajor + "." + formatMinor;
    }

    /** @return the snapshot's metadata (parsed from its metadata entry on first call, then cached) */
    public SnapshotMetadata metadata() {
        ensureOpen();
        SnapshotMetadata m = metadata;
        if (m == null) {
            ByteBuffer json = entry(SnapshotFormat.METADATA_ENTRY);
            m = SnapshotMetadata.fromJson(StandardCharsets.UTF_8.decode(json).toString(), source);
            metadata = m;
        }
        return m;
    }

    /** @return the number of entries in the index, the metadata entry included */
    public int entryCount() {
        ensureOpen();
        return entryCount;
    }

    /** @return every entry name, in index order (allocates a list: meant for tools, not hot paths) */
    public List<String> entryNames() {
        ensureOpen();
        List<String> out = new ArrayList<>(entryCount);
        for (int i = 0; i < entryCount; i++) {
            out.add(name(i));
        }
        return out;
    }

    /** @return every entry's index record, in index order (allocates: meant for tools) */
    public List<SnapshotEntry> entries() {
        ensureOpen();
        List<SnapshotEntry> out = new ArrayList<>(entryCount);
        for (int i = 0; i < entryCount; i++) {
            byte[] sha = new byte[32];
            index.get(record(i) + 32, sha);
            out.add(new SnapshotEntry(
                    name(i), index.getInt(record(i) + 24), dataOffset(i), dataLength(i), ContentHash.hex(sha)));
        }
        return out;
    }

    /** @return whether an entry of that name exists */
    public boolean hasEntry(String name) {
        ensureOpen();
        return find(name.getBytes(StandardCharsets.UTF_8)) >= 0;
    }

    /**
     * Returns an entry's data: a read-only slice of the mapped file, no copy.
     *
     * @throws MissingEntryException when there is no such entry
     * @throws CorruptSnapshotException when its record is damaged, or (with
     *     {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS}) its bytes do not match their SHA-256
     */
    public ByteBuffer entry(String name) {
        Optional<ByteBuffer> data = findEntry(name);
        if (data.isEmpty()) {
            throw new MissingEntryException(source + ": no entry named '" + name
                    + "'; list the entries with 'inspect' to see what the snapshot holds");
        }
        return data.get();
    }

    /** @return an entry's data as {@link #entry(String)} does, or empty when there is no such entry */
    public Optional<ByteBuffer> findEntry(String name) {
        ensureOpen();
        int i = find(name.getBytes(StandardCharsets.UTF_8));
        if (i < 0) {
            return Optional.empty();
        }
        ByteBuffer data = data(i);
        if (verifiedEntries != null && !isVerified(i)) {
            checkSha(i, data);
            markVerified(i);
        }
        return Optional.of(data);
    }

    /** @return the config: typed lookups over the snapshot's compiled key table (empty when it has none) */
    public Config config() {
        ensureOpen();
        Config c = config;
        if (c == null) {
            Optional<ByteBuffer> table = findEntry(SnapshotFormat.CONFIG_TABLE_ENTRY);
            // No lambdas or method references on the start-up path: their first use costs milliseconds of
            // bootstrap in a cold JVM.
            c = new Config(table.isPresent() ? table.get() : emptyConfigTable(), source);
            config = c;
        }
        return c;
    }

    /**
     * Returns a prompt template (decoded on first use, then cached).
     *
     * @param name the prompt's name, e.g. {@code support/answer} or {@code apps/my-app/pre_prompt}
     * @throws MissingEntryException when the snapshot has no prompt of that name
     */
    public PromptTemplate prompt(String name) {
        ensureOpen();
        Map<String, PromptTemplate> cache = prompts;
        if (cache == null) {
            synchronized (this) {
                if (prompts == null) {
                    prompts = new ConcurrentHashMap<>();
                }
                cache = prompts;
            }
        }
        PromptTemplate cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        Optional<ByteBuffer> found = findEntry(SnapshotFormat.promptEntryName(name));
        if (found.isEmpty()) {
            throw new MissingEntryException(
                    source + ": no prompt named '" + name + "'; list the prompts with 'inspect' to see what it holds");
        }
        ByteBuffer data = found.get();
        PromptTemplate template = PromptTemplate.decode(name, data, source);
        PromptTemplate raced = cache.putIfAbsent(name, template);
        return raced != null ? raced : template;
    }

    /** @return the names of every prompt, sorted (allocates: meant for tools) */
    public List<String> promptNames() {
        ensureOpen();
        byte[] prefix = SnapshotFormat.PROMPT_PREFIX.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (int i = lowerBound(prefix); i < entryCount && startsWith(i, prefix); i++) {
            String n = name(i);
            if (n.endsWith(SnapshotFormat.PROMPT_SUFFIX)) {
                out.add(n.substring(prefix.length, n.length() - SnapshotFormat.PROMPT_SUFFIX.length()));
            }
        }
        return out;
    }

    /**
     * Checks every byte: each entry's SHA-256, the content hash, the metadata, and the tar structure (every
     * header's checksum, name, offset and size against the index, and the end-of-archive blocks).
     *
     * @throws CorruptSnapshotException naming the first damaged part
     */
    public void verify() {
        ensureOpen();
        SnapshotVerifier.verify(this);
    }

    /** Closes the snapshot. Safe while other threads read; idempotent. */
    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "Snapshot[" + source + ", " + entryCount + " entries]";
    }

    // ---- package-private access for the verifier ----

    String source() {
        return source;
    }

    long fileLength() {
        return fileLength;
    }

    int indexLength() {
        return index.capacity();
    }

    byte[] contentHashBytes() {
        byte[] hash = new byte[32];
        index.get(64, hash);
        return hash;
    }

    String name(int i) {
        return new String(nameBytes(i), StandardCharsets.UTF_8);
    }

    byte[] nameBytes(int i) {
        int r = record(i);
        int off = index.getInt(r);
        int len = index.getInt(r + 4);
        if (off < 0 || len < 0 || (long) off + len > namesLength) {
            throw corrupt("has a damaged index: entry " + i + " names bytes " + off + "+" + len
                    + " outside the names section");
        }
        byte[] out = new byte[len];
        index.get(namesStart + off, out);
        return out;
    }

    int kind(int i) {
        return index.getInt(record(i) + 24);
    }

    byte[] sha256(int i) {
        byte[] sha = new byte[32];
        index.get(record(i) + 32, sha);
        return sha;
    }

    long dataOffset(int i) {
        checkBounds(i);
        return index.getLong(record(i) + 8);
    }

    long dataLength(int i) {
        checkBounds(i);
        return index.getLong(record(i) + 16);
    }

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

    ByteBuffer data(int i) {
        long off = dataOffset(i);
        int len = (int) dataLength(i);
        int region = (int) (off / regionSize);
        long within = off - region * regionSize;
        if (within + len <= regions[region].capacity()) {
            return regions[region].slice((int) within, len).asReadOnlyBuffer();
        }
        // The entry straddles two regions: give it a mapping of its own.
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, off, len).asReadOnlyBuffer();
        } catch (IOException e) {
            if (closed) {
                throw new IllegalStateException(source + " is closed");
            }
            throw new SnapshotException(source + ": cannot map entry '" + name(i) + "': " + e.getMessage(), e);
        }
    }

    /** @return a read-only view of {@code length} bytes at {@code offset}, for the verifier's tar walk */
    ByteBuffer range(long offset, int length) {
        int region = (int) (offset / regionSize);
        long within = offset - region * regionSize;
        if (within + length <= regions[region].capacity()) {
            return regions[region].slice((int) within, length);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            throw new SnapshotException(source + ": cannot map bytes at " + offset + ": " + e.getMessage(), e);
        }
    }

    void checkSha(int i, ByteBuffer data) {
        MessageDigest sha = ContentHash.sha256();
        sha.update(data.duplicate());
        if (!MessageDigest.isEqual(sha.digest(), sha256(i))) {
            throw corrupt("has damaged data in entry '" + name(i) + "' (SHA-256 mismatch); rebuild or re-download it");
        }
    }

    CorruptSnapshotException corrupt(String what) {
        return new CorruptSnapshotException(source + " " + what);
    }

    // ---- internals ----

    private static ByteBuffer emptyConfigTable() {
        return ByteBuffer.wrap(new dev.warmstart.snapshot.writer.ConfigTableWriter().toTableBytes())
                .asReadOnlyBuffer();
    }

    private void checkFirstTarHeader(ByteBuffer head) {
        if (TarHeaders.computeChecksum(head, 0) != TarHeaders.parseOctal(head, 148, 8)) {
            throw corrupt("has a damaged first tar header (checksum mismatch): not a Warmstart snapshot, or damaged");
        }
        byte[] name = TarHeaders.nameField(head, 0);
        if (!Arrays.equals(name, SnapshotFormat.INDEX_ENTRY.getBytes(StandardCharsets.US_ASCII))) {
            throw corrupt("is not a Warmstart snapshot: its first tar entry is '"
                    + new String(name, StandardCharsets.UTF_8) + "', expected '" + SnapshotFormat.INDEX_ENTRY + "'");
        }
    }

    private void checkBounds(int i) {
        int r = record(i);
        long off = index.getLong(r + 8);
        long len = index.getLong(r + 16);
        if (off < 0 || len < 0 || len > Integer.MAX_VALUE || off + len > fileLength) {
            throw corrupt("has a damaged index: entry " + i + " claims bytes " + off + "+" + len + " of a " + fileLength
                    + "-byte file");
        }
    }

    private int record(int i) {
        return recordsStart + i * SnapshotFormat.INDEX_RECORD_LENGTH;
    }

    private int compareName(int i, byte[] key) {
        int r = record(i);
        int off = index.getInt(r);
        int len = index.getInt(r + 4);
        if (off < 0 || len < 0 || (long) off + len > namesLength) {
            throw corrupt("has a damaged index: entry " + i + " names bytes outside the names section");
        }
        int start = namesStart + off;
        int n = Math.min(len, key.length);
        for (int k = 0; k < n; k++) {
            int c = (index.get(start + k) & 0xff) - (key[k] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return len - key.length;
    }

    private int lowerBound(byte[] key) {
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

    private boolean startsWith(int i, byte[] prefix) {
        int r = record(i);
        int len = index.getInt(r + 4);
        if (len < prefix.length) {
            return false;
        }
        int off = index.getInt(r);
        if (off < 0 || (long) off + len > namesLength) { // found by fuzzing: SnapshotFuzzFindingsTest
            throw corrupt("has a damaged index: entry " + i + " names bytes outside the names section");
        }
        int start = namesStart + off;
        for (int k = 0; k < prefix.length; k++) {
            if (index.get(start + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    private boolean isVerified(int i) {
        return (verifiedEntries.get(i >>> 6) & (1L << (i & 63))) != 0;
    }

    private void markVerified(int i) {
        long bit = 1L << (i & 63);
        verifiedEntries.getAndUpdate(i >>> 6, v -> v | bit);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(source + " is closed; open it again to read it");
        }
    }
}
