package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An open, memory-mapped snapshot: config values, prompt templates and raw entries served straight from the
 * mapped file.
 *
 * <p>Opening checks the file's structure (tar header, magic, version, total length, and the CRC of the index
 * header and block table) from its first bytes, read with one positional read; it reads nothing else, creates no
 * object per entry and maps nothing, so its cost grows neither with the data nor with the number of entries. The
 * file is mapped by the first read of an index record or an entry (a mapping's cost grows with its size). A file
 * of at most 1 MiB is read whole into one direct
 * buffer (outside the Java heap) instead of mapped, which spares a service's start-up the JVM's first-mapping
 * cost; it is served exactly as a mapping would be. Each block of index records is checked against its
 * CRC on the first lookup that reads it, so a damaged index block is reported by that lookup as a
 * {@link CorruptSnapshotException}, never served (a format 1.0 file has one CRC32C over its whole index, checked
 * at open). Entry data is checked against its SHA-256 by {@link #verify()} (everything) or, with
 * {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS}, on each entry's first use.
 *
 * <p>Thread-safe. Closing while other threads read is safe (never a crash), and methods called after
 * {@link #close()} throw {@link IllegalStateException}. Close a snapshot when nothing reads it any more, because
 * what closing releases depends on the Java version. On Java 22 and later it unmaps the file at once: buffers from
 * {@link #entry} and {@link Config}s obtained before closing throw {@link IllegalStateException} when read
 * afterwards, and so does a read racing with the close; strings already returned, {@link PromptTemplate}s and
 * {@link SnapshotMetadata} hold no mapped memory and stay valid. On Java 17 the mapping is released by the
 * garbage collector once nothing refers to it, so earlier buffers and {@link Config}s stay readable, and a
 * process that opens and closes snapshots often holds their mappings until a collection. The store's
 * {@code SnapshotManager} closes a snapshot it serves only after the last lease on it is released.
 *
 * <p>Errors: {@link #open} throws {@link IOException} when the file cannot be read (missing, not a regular file,
 * no permission); a file the operating system refuses to map fails the first read that maps it with a
 * {@link SnapshotException} that says what to check. Everything about the content is reported by the unchecked
 * {@link SnapshotException} family ({@link CorruptSnapshotException}, {@link UnsupportedFormatVersionException},
 * {@link MissingEntryException}, {@link MissingVariableException}, {@link ConfigException}), each naming the file.
 *
 * <p>A mapped file must never change size: another process truncating it makes the next read of a page past
 * its new end fault (SIGBUS, which the JVM reports as {@link InternalError}). Before the reads that touch many
 * pages ({@link #verify()}, per-entry verification, the first {@link #config()}, {@link #metadata()} and each
 * prompt's decoding) this class compares the file's size with the mapped size and throws a
 * {@link CorruptSnapshotException} ("changed size while mapped") when they differ. Config lookups and the
 * reads above also catch the fault and convert it the same way when the JVM reports it on the spot (it does
 * so in interpreted code; from JIT-compiled code it may surface later in the caller as {@link InternalError}).
 * A buffer returned by {@link #entry} is read by the caller's own code, where no translation can happen.
 * Publish new snapshots under new names (write, then rename), as the store does.
 *
 * <pre>{@code
 * try (Snapshot snapshot = Snapshot.open(Path.of("app-snapshot.tar"))) {
 *     String model = snapshot.config().getString("model.name");
 *     String prompt = snapshot.prompt("support/answer").render(Map.of("question", q));
 * }
 * }</pre>
 */
public final class Snapshot implements AutoCloseable {
    /**
     * Size of each mapped region (Java 17; on 22+ the file is one mapping): files larger than this are mapped as
     * several regions. The largest page-aligned size a {@code ByteBuffer} holds, so that files up to 2 GiB cost one
     * {@code mmap} at open, not two (a 1.1 GiB snapshot opened in twice the time of a small one with 1 GiB regions).
     */
    static final long DEFAULT_REGION_SIZE = Integer.MAX_VALUE & ~4095L;

    /**
     * Files up to this size are read into one direct buffer instead of mapped (see {@link MappedFile}): a copy of
     * at most 1 MiB outside the heap, in exchange for the method-handle bootstrap of a JVM's first mapping. Not
     * more: the copy is paid at every open (about 0.1 ms per MiB warm), so larger files open faster mapped once the
     * JVM has mapped anything (docs/performance.md section 1).
     */
    static final long READ_LIMIT = 1L << 20;

    private final Path file;
    private final String source;
    private final MappedFile mapped;
    private final SnapshotIndex index;
    private final AtomicLongArray verifiedEntries;
    private volatile boolean closed;
    private volatile SnapshotMetadata metadata;
    private volatile Config config;
    private volatile Map<String, PromptTemplate> prompts;

    private Snapshot(Path file, FileChannel channel, long regionSize, long readLimit, boolean verifyOnAccess)
            throws IOException {
        this.file = file;
        this.source = file.toString();
        long fileLength = channel.size();
        long minimum = SnapshotFormat.BLOCK + SnapshotFormat.INDEX_HEADER_LENGTH;
        if (fileLength < minimum) {
            throw corrupt("is " + fileLength + " bytes, too short to be a snapshot (truncated?)");
        }
        this.mapped = new MappedFile(file, channel, fileLength, regionSize, readLimit);
        boolean opened = false;
        try {
            this.index = new SnapshotIndex(mapped, source);
            opened = true;
        } catch (InternalError e) {
            throw mapped.fault(e);
        } finally {
            if (!opened) {
                // On Java 22+ only close() unmaps: a refused file must not stay mapped.
                mapped.close();
            }
        }
        int entryCount = index.entryCount();
        this.verifiedEntries = verifyOnAccess ? new AtomicLongArray((entryCount + 63) / 64) : null;
    }

    /**
     * Opens and maps a snapshot file.
     *
     * @param file the snapshot tar
     * @param options optional behaviour, such as {@link SnapshotOption#VERIFY_ON_FIRST_ACCESS}
     * @return the open snapshot; close it when done
     * @throws IOException when the file cannot be read: it is missing, is not a regular file (a directory, a FIFO,
     *     a device) or is not readable (it is mapped later, by the first read of its index or an entry)
     * @throws CorruptSnapshotException when the file's structure is damaged or truncated (damage in a block of
     *     index records is reported by the first lookup that reads the block, and by {@link #verify()})
     * @throws UnsupportedFormatVersionException when the file's format major version is not this loader's
     */
    public static Snapshot open(Path file, SnapshotOption... options) throws IOException {
        return open(file, DEFAULT_REGION_SIZE, READ_LIMIT, options);
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

    /** Opens with regions of {@code regionSize} bytes, always mapped: for the tests of the mapped path. */
    static Snapshot open(Path file, long regionSize, SnapshotOption... options) throws IOException {
        return open(file, regionSize, 0, options);
    }

    /** Opens with regions of {@code regionSize} bytes, reading instead of mapping files up to {@code readLimit}. */
    static Snapshot open(Path file, long regionSize, long readLimit, SnapshotOption... options) throws IOException {
        if (regionSize < 4096 || regionSize % SnapshotFormat.BLOCK != 0 || regionSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region size must be a multiple of 512 between 4 KiB and 2 GiB");
        }
        boolean verifyOnAccess = false;
        // A loop, not Arrays.asList(options).contains: without options it initialises neither the enum nor a list
        // class, which an archived start-up otherwise pays for (docs/performance.md section 5).
        for (SnapshotOption option : options) {
            verifyOnAccess |= option == SnapshotOption.VERIFY_ON_FIRST_ACCESS;
        }
        requireRegularFile(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new Snapshot(file, channel, regionSize, readLimit, verifyOnAccess);
        } catch (RuntimeException | IOException | Error e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Refuses a directory, FIFO, socket or device before opening it: a FIFO would block the open (and a reader
     * waiting on it) forever, and the others fail later with a message that does not say why.
     */
    private static void requireRegularFile(Path file) throws IOException {
        // Files.isRegularFile is one stat() on the JDK's own file systems; readAttributes first loads a dozen
        // attribute-view classes (0.15-0.2 ms of an archived Java 17 start-up), so it is left to the error path.
        if (Files.isRegularFile(file)) {
            return;
        }
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) { // not when it became one between the two calls
            String what = attributes.isDirectory() ? "a directory" : "a special file (FIFO, socket or device)";
            throw Failures.notRegularFile(
                    file.toString(), "is " + what + ", not a snapshot file; pass the path of a snapshot .tar");
        }
    }

    /** @return the file this snapshot was opened from */
    public Path file() {
        return file;
    }

    /** @return the snapshot id, {@code yyyyMMdd'T'HHmmss'Z'-<12 hex>}, read from the index (no JSON parsing) */
    public String id() {
        ensureOpen();
        return ContentHash.snapshotId(index.createdSeconds(), index.contentHashBytes());
    }

    /** @return the content hash as lower-case hex, read from the index */
    public String contentHash() {
        ensureOpen();
        return ContentHash.hex(index.contentHashBytes());
    }

    /** @return when the snapshot was built */
    public Instant created() {
        ensureOpen();
        return Instant.ofEpochSecond(index.createdSeconds());
    }

    /** @return the file's format version, {@code major.minor} */
    public String formatVersion() {
        return index.formatMajor() + "." + index.formatMinor();
    }

    /** @return the snapshot's metadata (parsed from its metadata entry on first call, then cached) */
    public SnapshotMetadata metadata() {
        ensureOpen();
        SnapshotMetadata m = metadata;
        if (m == null) {
            try {
                mapped.requireUnchangedSize();
                ByteBuffer json = entry(SnapshotFormat.METADATA_ENTRY);
                m = SnapshotMetadata.fromJson(
                        StandardCharsets.UTF_8.decode(json).toString(), source);
            } catch (InternalError e) {
                throw mapped.fault(e);
            }
            metadata = m;
        }
        return m;
    }

    /** @return the number of entries in the index, the metadata entry included */
    public int entryCount() {
        ensureOpen();
        return index.entryCount();
    }

    /** @return every entry name, in index order (allocates a list: meant for tools, not hot paths) */
    public List<String> entryNames() {
        ensureOpen();
        int count = index.entryCount();
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(index.name(i));
        }
        return out;
    }

    /** @return every entry's index record, in index order (allocates: meant for tools) */
    public List<SnapshotEntry> entries() {
        ensureOpen();
        int count = index.entryCount();
        List<SnapshotEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new SnapshotEntry(
                    index.name(i),
                    index.kind(i),
                    index.dataOffset(i),
                    index.dataLength(i),
                    ContentHash.hex(index.sha256(i))));
        }
        return out;
    }

    /** @return whether an entry of that name exists */
    public boolean hasEntry(String name) {
        ensureOpen();
        try {
            return index.find(name.getBytes(StandardCharsets.UTF_8)) >= 0;
        } catch (InternalError e) {
            throw mapped.fault(e);
        }
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
            throw Failures.missingEntry(source + ": no entry named '" + name
                    + "'; list the entries with 'inspect' to see what the snapshot holds");
        }
        return data.get();
    }

    /** @return an entry's data as {@link #entry(String)} does, or empty when there is no such entry */
    public Optional<ByteBuffer> findEntry(String name) {
        ensureOpen();
        try {
            int i = index.find(name.getBytes(StandardCharsets.UTF_8));
            if (i < 0) {
                return Optional.empty();
            }
            ByteBuffer data = data(i);
            if (verifiedEntries != null && !isVerified(i)) {
                mapped.requireUnchangedSize();
                checkSha(i, data);
                markVerified(i);
            }
            return Optional.of(data);
        } catch (InternalError e) {
            throw mapped.fault(e);
        }
    }

    /** @return the config: typed lookups over the snapshot's compiled key table (empty when it has none) */
    public Config config() {
        ensureOpen();
        Config c = config;
        if (c == null) {
            Optional<ByteBuffer> table = findEntry(SnapshotFormat.CONFIG_TABLE_ENTRY);
            // No lambdas or method references on the start-up path: their first use costs milliseconds of
            // bootstrap in a cold JVM.
            try {
                mapped.requireUnchangedSize();
                c = table.isPresent() ? new Config(table.get(), source, mapped) : Config.empty(source);
            } catch (InternalError e) {
                throw mapped.fault(e);
            }
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
            throw Failures.missingEntry(
                    source + ": no prompt named '" + name + "'; list the prompts with 'inspect' to see what it holds");
        }
        PromptTemplate template;
        try {
            mapped.requireUnchangedSize();
            template = PromptTemplate.decode(name, found.get(), source);
        } catch (InternalError e) {
            throw mapped.fault(e);
        }
        PromptTemplate raced = cache.putIfAbsent(name, template);
        return raced != null ? raced : template;
    }

    /** @return the names of every prompt, sorted (allocates: meant for tools) */
    public List<String> promptNames() {
        ensureOpen();
        byte[] prefix = SnapshotFormat.PROMPT_PREFIX.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int count = index.entryCount();
        for (int i = index.lowerBound(prefix); i < count && index.startsWith(i, prefix); i++) {
            String n = index.name(i);
            if (n.endsWith(SnapshotFormat.PROMPT_SUFFIX)) {
                out.add(n.substring(prefix.length, n.length() - SnapshotFormat.PROMPT_SUFFIX.length()));
            }
        }
        return out;
    }

    /**
     * Checks every byte: the whole index (every block's CRC and the index's trailer CRC32C), each entry's
     * SHA-256, the content hash, the metadata, and the tar structure (every header's checksum, name, offset and
     * size against the index, and the end-of-archive blocks).
     *
     * @throws CorruptSnapshotException naming the first damaged part, or when the file changed size while mapped
     */
    public void verify() {
        verifyUsing(null);
    }

    /**
     * Checks every byte as {@link #verify()} does, with the entries' SHA-256 checks (most of the work) spread over
     * {@code executor}'s threads in slices of about 4 MiB. It reports the same damage as {@link #verify()}: when
     * several entries are damaged, the first in the index. Returns once every slice is done.
     *
     * @param executor runs the slices (a build's thread pool, for instance); null checks on the calling thread
     * @throws CorruptSnapshotException naming the first damaged part, or when the file changed size while mapped
     */
    public void verifyUsing(Executor executor) {
        ensureOpen();
        mapped.requireUnchangedSize();
        try {
            SnapshotVerifier.verify(this, executor);
        } catch (InternalError e) {
            throw mapped.fault(e);
        } catch (RuntimeException e) {
            // Data read as zeros from a shrunk file looks damaged: say what really happened when that is it.
            // (Not a catch of CorruptSnapshotException: see Failures.)
            if (e instanceof CorruptSnapshotException) {
                mapped.requireUnchangedSize();
            }
            throw e;
        }
    }

    /**
     * Closes the snapshot and, on Java 22 and later, unmaps it: this means "nothing reads it any more" (see the
     * class description for what still reads afterwards). Safe while other threads read; idempotent.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        mapped.close();
    }

    @Override
    public String toString() {
        return "Snapshot[" + source + ", " + index.entryCount() + " entries]";
    }

    // ---- package-private access for the verifier and the tests ----

    String source() {
        return source;
    }

    SnapshotIndex index() {
        return index;
    }

    long fileLength() {
        return mapped.length();
    }

    int indexLength() {
        return index.length();
    }

    /** @return entry {@code i}'s data, a read-only slice of the mapping */
    ByteBuffer data(int i) {
        long off = index.dataOffset(i);
        int len = (int) index.dataLength(i);
        try {
            return mapped.slice(off, len).asReadOnlyBuffer();
        } catch (IOException e) {
            if (closed) {
                throw new IllegalStateException(source + " is closed", e);
            }
            throw Failures.snapshot(source + ": cannot map entry '" + index.name(i) + "': " + e.getMessage(), e);
        }
    }

    /** @return a read-only view of {@code length} bytes at {@code offset}, for the verifier's tar walk */
    ByteBuffer range(long offset, int length) {
        try {
            return mapped.slice(offset, length).asReadOnlyBuffer();
        } catch (IOException e) {
            throw Failures.snapshot(source + ": cannot map bytes at " + offset + ": " + e.getMessage(), e);
        }
    }

    /** @return whether {@code data}, entry {@code i}'s, matches the SHA-256 the index records for it */
    boolean shaMatches(int i, ByteBuffer data) {
        return MessageDigest.isEqual(sha256(data), index.sha256(i));
    }

    void checkSha(int i, ByteBuffer data) {
        byte[] actual = sha256(data);
        byte[] expected = index.sha256(i);
        if (!MessageDigest.isEqual(actual, expected)) {
            throw corrupt("has damaged data in entry '" + index.name(i) + "' (SHA-256 " + ContentHash.hex(actual)
                    + ", index says " + ContentHash.hex(expected) + "); rebuild or re-download it");
        }
    }

    private static byte[] sha256(ByteBuffer data) {
        MessageDigest sha = ContentHash.sha256();
        sha.update(data.duplicate());
        return sha.digest();
    }

    /** @return a {@link CorruptSnapshotException} naming the file (typed so, see {@link Failures}) */
    RuntimeException corrupt(String what) {
        return Failures.corrupt(source + " " + what);
    }

    // ---- internals ----

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
