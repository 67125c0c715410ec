package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.IndexBlocks;
import dev.warmstart.snapshot.format.SignatureLayout;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.format.TarHeaders;
import dev.warmstart.snapshot.loader.SnapshotMetadata;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Writes a snapshot file (see {@code docs/format.md}). Entries are streamed to a spool file beside the target
 * as they are added, so memory holds only one small record per entry whatever the data size; {@link #finish}
 * lays the tar out (index first, then metadata, then content sorted by name), writes it to a temporary file,
 * forces it to disk and renames it over the target atomically. A writer that is closed without
 * {@code finish} leaves the target untouched.
 *
 * <p>Not thread-safe: one writer per thread. {@link #finish} itself may write the entries' data on several threads
 * ({@link #writeThreads}).
 */
public final class SnapshotWriter implements Closeable {
    private static final int COPY_BUFFER = 1 << 20;
    /** Bytes a data writer gathers before one write: headers, small entries and padding go out together. */
    private static final int WRITE_BUFFER = 1 << 20;

    private static final byte[] ZEROS = new byte[SnapshotFormat.BLOCK];

    private final Path target;
    private final Path spool;
    private final FileChannel spoolChannel;
    private final List<PendingEntry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean finished;
    private SnapshotSigner signer;
    private int writeThreads = 1;

    private SnapshotWriter(Path target) throws IOException {
        this.target = target.toAbsolutePath();
        Path dir = this.target.getParent();
        Files.createDirectories(dir);
        this.spool = AtomicFiles.createTemp(this.target, ".spool");
        this.spoolChannel = FileChannel.open(spool, StandardOpenOption.WRITE, StandardOpenOption.READ);
    }

    /**
     * Starts a snapshot that {@link #finish} will write to {@code target}.
     *
     * @param target the snapshot file; its directory is created when missing
     */
    public static SnapshotWriter create(Path target) throws IOException {
        return new SnapshotWriter(target);
    }

    /**
     * Adds an entry whose data is in memory.
     *
     * @param name the entry name: relative, {@code /}-separated, no empty, {@code .} or {@code ..} segment
     * @param kind one of the {@code SnapshotFormat.KIND_*} constants
     * @return the SHA-256 of the data, in hex, as the index records it
     */
    public String addEntry(String name, int kind, byte[] data) throws IOException {
        byte[] utf8 = claim(name);
        long start = spoolChannel.position();
        MessageDigest sha = ContentHash.sha256();
        sha.update(data);
        ByteBuffer bb = ByteBuffer.wrap(data);
        while (bb.hasRemaining()) {
            spoolChannel.write(bb);
        }
        byte[] digest = sha.digest();
        entries.add(new PendingEntry(name, utf8, kind, start, data.length, digest, null));
        return ContentHash.hex(digest);
    }

    /** Adds an entry whose data is read from {@code file}, streamed. */
    public void addFile(String name, int kind, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            addEntry(name, kind, in);
        }
    }

    /**
     * Adds an entry whose data is read from {@code data} to its end, streamed (the stream is not closed).
     *
     * @return the SHA-256 of the data, in hex, as the index records it
     */
    public String addEntry(String name, int kind, InputStream data) throws IOException {
        byte[] utf8 = claim(name);
        long start = spoolChannel.position();
        MessageDigest sha = ContentHash.sha256();
        byte[] buf = new byte[64 * 1024];
        long length = 0;
        for (int n; (n = data.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                spoolChannel.write(bb);
            }
            length += n;
            if (length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "entry '" + name + "' is larger than 2 GiB - 1, the most one entry may hold");
            }
        }
        byte[] digest = sha.digest();
        entries.add(new PendingEntry(name, utf8, kind, start, length, digest, null));
        return ContentHash.hex(digest);
    }

    /**
     * Supplies an entry's bytes when {@link #finish} writes them: see {@link #addEntry(String, int, byte[], long, Deferred)}.
     */
    @FunctionalInterface
    public interface Deferred {
        /**
         * Called once, from a thread of {@link #finish}: from several at once when {@link #writeThreads} is above 1.
         *
         * @return the entry's bytes: exactly the length and SHA-256 given when it was added
         */
        byte[] bytes() throws IOException;

        /**
         * Bytes that lie in a file, {@code length} of them from {@code position}: {@link #finish} copies them from
         * file to file ({@link FileChannel#transferTo}), so they never pass through the heap. The channel must stay
         * open until {@code finish} returns; it is read with positional reads only, from several threads at once
         * when {@link #writeThreads} is above 1.
         *
         * @return the entry's bytes, from that file
         */
        static Deferred inFile(FileChannel channel, long position, long length) {
            if (position < 0 || length < 0 || length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("bytes " + position + " to " + position + " + " + length
                        + " cannot be an entry: a position is 0 or more, a length 0 to 2 GiB - 1");
            }
            return new FileRegion(channel, position, length);
        }
    }

    /** A {@link Deferred} entry's bytes in a file. */
    private record FileRegion(FileChannel channel, long position, long length) implements Deferred {
        @Override
        public byte[] bytes() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate((int) length);
            while (buf.hasRemaining()) {
                if (channel.read(buf, position + buf.position()) < 0) {
                    throw new IOException(
                            "the file ended " + (length - buf.position()) + " bytes before the entry did");
                }
            }
            return buf.array();
        }
    }

    /**
     * Adds an entry whose SHA-256 and length the caller has computed already (on its own threads): nothing is
     * spooled, {@link #finish} asks {@code data} for the bytes, in name order, and writes them straight into the
     * snapshot. The caller vouches for the hash (a snapshot whose bytes do not match it fails
     * {@code Snapshot.verify()}, so read it back).
     *
     * @param sha256 the SHA-256 of the bytes (32 bytes)
     * @param length the number of bytes
     * @throws IllegalStateException from {@link #finish} when {@code data} gives another number of bytes
     */
    public void addEntry(String name, int kind, byte[] sha256, long length, Deferred data) {
        byte[] utf8 = claim(name);
        if (sha256.length != 32 || length < 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("entry '" + name + "': a SHA-256 is 32 bytes, a length 0 to 2 GiB - 1");
        }
        if (data instanceof FileRegion region && region.length() != length) {
            throw new IllegalArgumentException(
                    "entry '" + name + "' is " + length + " bytes, its file region " + region.length());
        }
        entries.add(new PendingEntry(name, utf8, kind, -1, length, sha256.clone(), data));
    }

    private byte[] claim(String name) {
        ensureOpen();
        byte[] utf8 = checkName(name);
        if (!names.add(name)) {
            throw new IllegalArgumentException("two entries are named '" + name + "'");
        }
        return utf8;
    }

    /**
     * Signs the snapshot {@link #finish} writes: it then holds a {@code .warmstart/signature} entry (see
     * {@link SignatureLayout}). The content hash and id do not change.
     *
     * @param signer the signing key, or null for an unsigned snapshot
     * @return this writer
     */
    public SnapshotWriter signWith(SnapshotSigner signer) {
        ensureOpen();
        this.signer = signer;
        return this;
    }

    /**
     * Writes the entries' data on this many threads at once when the snapshot is finished with a read-back (which
     * hashes the file; without one the file is hashed as it is written, which takes one thread). Every entry's
     * place in the file is known once every length is, so each thread writes its own range of entries there. The
     * file's bytes are the same whatever the number.
     *
     * @param threads at least 1 (1 unless set)
     * @return this writer
     */
    public SnapshotWriter writeThreads(int threads) {
        ensureOpen();
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.writeThreads = threads;
        return this;
    }

    /** @return the number of content entries added so far */
    public int entryCount() {
        return entries.size();
    }

    /**
     * Lays out and writes the snapshot, then atomically replaces the target.
     *
     * @param created the creation time recorded in metadata, the id and every tar header (whole seconds)
     * @param producer the producing tool's name
     * @param producerVersion its version
     * @param provenance optional provenance fields ({@code project}, {@code gitCommit}, ...)
     * @return what was written
     */
    public WrittenSnapshot finish(
            Instant created, String producer, String producerVersion, Map<String, String> provenance)
            throws IOException {
        return finish(created, producer, producerVersion, provenance, null);
    }

    /**
     * Reads a written snapshot back before it takes the target's place; see
     * {@link #finish(Instant, String, String, Map, ReadBack)}.
     */
    @FunctionalInterface
    public interface ReadBack {
        /**
         * Checks the complete snapshot file and hashes it.
         *
         * @param written the snapshot file, complete, not yet renamed over the target
         * @return the SHA-256 of the whole file as read back, in hex: {@link WrittenSnapshot#fileSha256()}
         * @throws IOException or any unchecked exception to refuse the file: the target is then left as it was
         */
        String check(Path written) throws IOException;
    }

    /**
     * Lays out and writes the snapshot, has {@code readBack} check the written file while it is forced to disk,
     * and only then atomically replaces the target. The file is not hashed while it is written: {@code readBack}
     * hashes what it reads back, so every byte is hashed once fewer than by
     * {@link #finish(Instant, String, String, Map)}, and a snapshot that fails the check never replaces the target.
     *
     * @param readBack checks the written file and returns its SHA-256
     * @return what was written
     * @throws IOException when writing fails, or what {@code readBack} threw; the target is then unchanged
     */
    public WrittenSnapshot finish(
            Instant created, String producer, String producerVersion, Map<String, String> provenance, ReadBack readBack)
            throws IOException {
        ensureOpen();
        long createdSeconds = created.getEpochSecond();
        if (createdSeconds < SnapshotFormat.MIN_CREATED_SECONDS
                || createdSeconds > SnapshotFormat.MAX_CREATED_SECONDS) {
            throw new IllegalArgumentException(
                    "creation time " + created + " is outside the years 0000 to 9999 a snapshot id can name");
        }
        entries.sort((a, b) -> Arrays.compareUnsigned(a.utf8Name, b.utf8Name));

        ContentHash contentHash = new ContentHash();
        long contentBytes = 0;
        for (PendingEntry e : entries) {
            contentHash.add(e.utf8Name, e.sha256);
            contentBytes += e.length;
        }
        byte[] hash = contentHash.finish();
        String id = ContentHash.snapshotId(createdSeconds, hash);

        // The metadata records the file length, which depends on the metadata's own length: iterate to a
        // fixed point (it settles at once unless the JSON crosses a block boundary).
        long fileBytes = 0;
        byte[] metadataJson;
        Layout layout;
        while (true) {
            SnapshotMetadata metadata = new SnapshotMetadata(
                    id,
                    Instant.ofEpochSecond(createdSeconds),
                    ContentHash.hex(hash),
                    SnapshotFormat.MAJOR_VERSION + "." + SnapshotFormat.MINOR_VERSION,
                    producer,
                    producerVersion,
                    entries.size(),
                    contentBytes,
                    fileBytes,
                    provenance);
            metadataJson = metadata.toJson().getBytes(StandardCharsets.UTF_8);
            layout = layout(metadataJson.length);
            if (layout.fileLength == fileBytes) {
                break;
            }
            fileBytes = layout.fileLength;
        }

        byte[] signature = signer == null ? null : signer.signatureEntry(hash, metadataJson);
        byte[] index = buildIndex(layout, metadataJson, signature, createdSeconds, hash);
        Path temp = AtomicFiles.createTemp(target, AtomicFiles.TEMP_SUFFIX);
        MessageDigest fileSha = readBack == null ? ContentHash.sha256() : null;
        String fileSha256;
        try {
            try (FileChannel out =
                    FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                DataWriter head = new DataWriter(out, fileSha, createdSeconds);
                head.put(TarHeaders.header(
                        utf8(SnapshotFormat.INDEX_ENTRY), index.length, createdSeconds, TarHeaders.TYPE_FILE));
                head.putPadded(index);
                head.put(TarHeaders.header(
                        utf8(SnapshotFormat.METADATA_ENTRY),
                        metadataJson.length,
                        createdSeconds,
                        TarHeaders.TYPE_FILE));
                head.putPadded(metadataJson);
                if (signature != null) {
                    head.put(TarHeaders.header(
                            utf8(SignatureLayout.ENTRY), signature.length, createdSeconds, TarHeaders.TYPE_FILE));
                    head.putPadded(signature);
                }
                if (fileSha == null && writeThreads > 1 && entries.size() > 1) {
                    head.flush();
                    writeInParallel(temp, layout, createdSeconds);
                    out.position(layout.fileLength - 2L * SnapshotFormat.BLOCK);
                } else {
                    head.putEntries(0, entries.size());
                }
                head.put(new byte[2 * SnapshotFormat.BLOCK]);
                head.flush();
                if (out.size() != layout.fileLength) {
                    throw new IllegalStateException("wrote " + out.size() + " bytes, laid out " + layout.fileLength);
                }
                if (readBack == null) {
                    out.force(true);
                    fileSha256 = ContentHash.hex(fileSha.digest());
                } else {
                    fileSha256 = forceWhileReadingBack(out, temp, readBack);
                }
            }
            AtomicFiles.move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        finished = true;
        close();
        return new WrittenSnapshot(
                target,
                id,
                ContentHash.hex(hash),
                fileSha256,
                layout.fileLength,
                entries.size(),
                Instant.ofEpochSecond(createdSeconds));
    }

    /**
     * Forces {@code out} to disk on another thread while {@code readBack} reads the same file from the page cache:
     * the disk's latency and the check's CPU overlap instead of adding up. Both must succeed.
     */
    private static String forceWhileReadingBack(FileChannel out, Path temp, ReadBack readBack) throws IOException {
        IOException[] forceFailure = new IOException[1];
        Thread force = new Thread(
                () -> {
                    try {
                        out.force(true);
                    } catch (IOException e) {
                        forceFailure[0] = e;
                    }
                },
                "warmstart-force");
        force.setDaemon(true);
        force.start();
        String sha256;
        try {
            sha256 = readBack.check(temp);
        } finally {
            joinUninterruptibly(force);
        }
        if (forceFailure[0] != null) {
            throw forceFailure[0];
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalStateException("the read-back gave '" + sha256 + "', not a SHA-256 in hex");
        }
        return sha256;
    }

    /** Waits for {@code t}, even when interrupted: the file it forces must not be renamed or deleted under it. */
    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the spool file; the target is left as it was unless {@link #finish} succeeded. */
    @Override
    public void close() throws IOException {
        try {
            spoolChannel.close();
        } finally {
            Files.deleteIfExists(spool);
            finished = true;
        }
    }

    private Layout layout(int metadataLength) {
        int recordCount = entries.size() + 1 + (signer != null ? 1 : 0); // + metadata, + signature
        long namesLength =
                utf8(SnapshotFormat.METADATA_ENTRY).length + (signer != null ? utf8(SignatureLayout.ENTRY).length : 0);
        for (PendingEntry e : entries) {
            namesLength += e.utf8Name.length;
        }
        long indexLength = indexHeaderLength(recordCount)
                + (long) recordCount * SnapshotFormat.INDEX_RECORD_LENGTH
                + namesLength
                + SnapshotFormat.INDEX_TRAILER_LENGTH;
        if (indexLength > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many entries: the index would exceed 2 GiB");
        }
        long pos = SnapshotFormat.BLOCK + TarHeaders.padded(indexLength);
        long metadataOffset = pos + SnapshotFormat.BLOCK;
        pos = metadataOffset + TarHeaders.padded(metadataLength);
        long signatureOffset = -1;
        if (signer != null) {
            signatureOffset = pos + SnapshotFormat.BLOCK;
            pos = signatureOffset + TarHeaders.padded(SignatureLayout.LENGTH);
        }
        long[] offsets = new long[entries.size()];
        long[] starts = new long[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            PendingEntry e = entries.get(i);
            starts[i] = pos;
            if (TarHeaders.needsPax(e.utf8Name)) {
                pos += SnapshotFormat.BLOCK + TarHeaders.padded(TarHeaders.paxPathRecord(e.utf8Name).length);
            }
            offsets[i] = pos + SnapshotFormat.BLOCK;
            pos = offsets[i] + TarHeaders.padded(e.length);
        }
        long fileLength = pos + 2L * SnapshotFormat.BLOCK;
        return new Layout(
                (int) indexLength, (int) namesLength, metadataOffset, signatureOffset, offsets, starts, fileLength);
    }

    private byte[] buildIndex(
            Layout layout, byte[] metadataJson, byte[] signature, long createdSeconds, byte[] contentHash) {
        // Records for the metadata and every content entry, sorted together by name.
        List<IndexRecord> records = new ArrayList<>();
        records.add(new IndexRecord(
                utf8(SnapshotFormat.METADATA_ENTRY),
                layout.metadataOffset,
                metadataJson.length,
                SnapshotFormat.KIND_METADATA,
                ContentHash.sha256().digest(metadataJson)));
        if (signature != null) {
            records.add(new IndexRecord(
                    utf8(SignatureLayout.ENTRY),
                    layout.signatureOffset,
                    signature.length,
                    SignatureLayout.KIND_SIGNATURE,
                    ContentHash.sha256().digest(signature)));
        }
        for (int i = 0; i < entries.size(); i++) {
            PendingEntry e = entries.get(i);
            records.add(new IndexRecord(e.utf8Name, layout.offsets[i], e.length, e.kind, e.sha256));
        }
        records.sort((a, b) -> Arrays.compareUnsigned(a.utf8Name, b.utf8Name));

        int headerLength = indexHeaderLength(records.size());
        ByteBuffer buf = ByteBuffer.allocate(layout.indexLength);
        buf.put(SnapshotFormat.INDEX_MAGIC);
        buf.putShort((short) SnapshotFormat.MAJOR_VERSION);
        buf.putShort((short) SnapshotFormat.MINOR_VERSION);
        CRC32C preamble = new CRC32C();
        preamble.update(buf.array(), 0, 12);
        buf.putInt((int) preamble.getValue());
        buf.putInt(headerLength);
        buf.putInt(records.size());
        buf.putLong(layout.fileLength);
        buf.putLong(createdSeconds);
        buf.putInt(layout.namesLength);
        buf.putInt(0); // flags
        buf.putLong(layout.indexLength);
        buf.putInt(IndexBlocks.RECORDS_PER_BLOCK);
        buf.putInt(0); // reserved
        buf.put(contentHash);
        buf.position(headerLength);
        int nameOffset = 0;
        for (IndexRecord r : records) {
            buf.putInt(nameOffset);
            buf.putInt(r.utf8Name.length);
            buf.putLong(r.offset);
            buf.putLong(r.length);
            buf.putInt(r.kind);
            buf.putInt(0); // reserved
            buf.put(r.sha256);
            nameOffset += r.utf8Name.length;
        }
        for (IndexRecord r : records) {
            buf.put(r.utf8Name);
        }
        writeBlockTable(buf, records, headerLength);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        if (buf.hasRemaining()) {
            throw new IllegalStateException("index layout mismatch");
        }
        return buf.array();
    }

    /** Fills in the block table and the header CRC behind it, once the records and names are in {@code buf}. */
    private static void writeBlockTable(ByteBuffer buf, List<IndexRecord> records, int headerLength) {
        int perBlock = IndexBlocks.RECORDS_PER_BLOCK;
        int namesStart = headerLength + records.size() * SnapshotFormat.INDEX_RECORD_LENGTH;
        int namesEnd = 0;
        for (int first = 0, block = 0; first < records.size(); first += perBlock, block++) {
            int count = Math.min(perBlock, records.size() - first);
            int namesFrom = namesEnd;
            for (int i = first; i < first + count; i++) {
                namesEnd += records.get(i).utf8Name.length;
            }
            int at = IndexBlocks.TABLE_OFFSET + block * IndexBlocks.TABLE_ENTRY_LENGTH;
            buf.putInt(at, namesEnd);
            buf.putInt(
                    at + 4,
                    IndexBlocks.blockCrc(
                            buf,
                            headerLength + first * SnapshotFormat.INDEX_RECORD_LENGTH,
                            count,
                            namesStart + namesFrom,
                            namesEnd - namesFrom));
        }
        int crcAt = headerLength - IndexBlocks.HEADER_CRC_LENGTH;
        buf.putInt(crcAt, IndexBlocks.headerCrc(buf, crcAt));
    }

    /** @return the index header length for {@code recordCount} records: the 1.0 fields, block table, header CRC */
    private static int indexHeaderLength(int recordCount) {
        return (int) IndexBlocks.headerLength(IndexBlocks.blockCount(recordCount, IndexBlocks.RECORDS_PER_BLOCK));
    }

    /**
     * Writes the entries' data on {@link #writeThreads} threads, each through its own channel to {@code temp}: the
     * entries are cut into ranges of about equal bytes (more ranges than threads, so a thread that gets less CPU
     * does less), and a thread takes the next range when done with one. The first failure stops the others and is
     * thrown once all have stopped, so nothing writes to the file after this returns.
     */
    private void writeInParallel(Path temp, Layout layout, long createdSeconds) throws IOException {
        int n = entries.size();
        int ranges = Math.min(n, writeThreads * 4);
        long dataStart = layout.starts[0];
        long dataBytes = layout.fileLength - 2L * SnapshotFormat.BLOCK - dataStart;
        int[] bounds = new int[ranges + 1];
        int cut = 1;
        for (int i = 1; i < n && cut < ranges; i++) {
            if (layout.starts[i] - dataStart >= dataBytes * cut / ranges) {
                bounds[cut++] = i;
            }
        }
        bounds[cut] = n;
        int rangeCount = cut;
        AtomicInteger next = new AtomicInteger();
        Throwable[] failure = new Throwable[1];
        Runnable work = () -> {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                DataWriter writer = new DataWriter(channel, null, createdSeconds);
                for (int r; (r = next.getAndIncrement()) < rangeCount; ) {
                    channel.position(layout.starts[bounds[r]]);
                    writer.putEntries(bounds[r], bounds[r + 1]);
                    writer.flush();
                }
            } catch (Throwable t) {
                next.set(rangeCount); // the others take no further range
                synchronized (failure) {
                    if (failure[0] == null) {
                        failure[0] = t;
                    } else {
                        failure[0].addSuppressed(t);
                    }
                }
            }
        };
        List<Thread> helpers = new ArrayList<>();
        for (int i = 1; i < Math.min(writeThreads, rangeCount); i++) {
            Thread t = new Thread(work, "warmstart-write-" + i);
            t.setDaemon(true);
            t.start();
            helpers.add(t);
        }
        work.run();
        for (Thread t : helpers) {
            joinUninterruptibly(t);
        }
        Throwable t = failure[0];
        if (t instanceof IOException e) {
            throw e;
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new IOException("writing the snapshot's data failed", t);
        }
    }

    /**
     * Writes a run of the file through one channel from its position on, gathering headers, small entries and
     * padding into one buffer and writing it when full, and hashing what it writes when given a digest. Entries in a
     * file are copied from file to file unless hashed.
     */
    private final class DataWriter {
        private final FileChannel out;
        private final MessageDigest sha;
        private final long createdSeconds;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(WRITE_BUFFER);

        DataWriter(FileChannel out, MessageDigest sha, long createdSeconds) {
            this.out = out;
            this.sha = sha;
            this.createdSeconds = createdSeconds;
        }

        /** Writes entries {@code [from, to)}, in layout order: pax header when needed, header, data, padding. */
        void putEntries(int from, int to) throws IOException {
            for (int i = from; i < to; i++) {
                PendingEntry e = entries.get(i);
                if (TarHeaders.needsPax(e.utf8Name)) {
                    byte[] pax = TarHeaders.paxPathRecord(e.utf8Name);
                    put(TarHeaders.header(
                            utf8(TarHeaders.PAX_HEADER_NAME), pax.length, createdSeconds, TarHeaders.TYPE_PAX));
                    putPadded(pax);
                }
                put(TarHeaders.header(e.utf8Name, e.length, createdSeconds, TarHeaders.TYPE_FILE));
                if (e.deferred instanceof FileRegion region) {
                    copy(region.channel(), region.position(), e.length, e.name);
                } else if (e.deferred != null) {
                    byte[] data = e.deferred.bytes();
                    if (data.length != e.length) {
                        throw new IllegalStateException(
                                "entry '" + e.name + "' was added as " + e.length + " bytes but holds " + data.length);
                    }
                    put(data);
                } else {
                    copy(spoolChannel, e.spoolOffset, e.length, e.name);
                }
                pad(e.length);
            }
        }

        void putPadded(byte[] data) throws IOException {
            put(data);
            pad(data.length);
        }

        void put(byte[] data) throws IOException {
            put(data, 0, data.length);
        }

        private void put(byte[] data, int offset, int length) throws IOException {
            if (sha != null) {
                sha.update(data, offset, length);
            }
            if (length > buf.remaining()) {
                flush();
            }
            if (length > buf.capacity()) {
                ByteBuffer bb = ByteBuffer.wrap(data, offset, length);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
            } else {
                buf.put(data, offset, length);
            }
        }

        private void pad(long length) throws IOException {
            int pad = (int) (TarHeaders.padded(length) - length);
            if (pad > 0) {
                put(ZEROS, 0, pad);
            }
        }

        /**
         * Copies {@code length} bytes at {@code position} of {@code from} (the spool, or a file a deferred entry lies
         * in) to the output: in the kernel when nothing is hashed, else through the heap in chunks of at most
         * {@link #COPY_BUFFER}, hashed on the way.
         */
        private void copy(FileChannel from, long position, long length, String name) throws IOException {
            if (sha == null) {
                flush();
            }
            ByteBuffer chunk =
                    sha == null ? null : ByteBuffer.allocate((int) Math.min(COPY_BUFFER, Math.max(length, 1)));
            long done = 0;
            while (done < length) {
                long n;
                if (chunk == null) {
                    n = from.transferTo(position + done, length - done, out);
                } else {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), length - done));
                    n = from.read(chunk, position + done);
                    if (n > 0) {
                        put(chunk.array(), 0, (int) n);
                    }
                }
                if (n < 0 || (n == 0 && position + done >= from.size())) {
                    throw new IOException("the file holding entry '" + name + "' ended " + (length - done)
                            + " bytes before the entry did");
                }
                done += n;
            }
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            buf.clear();
        }
    }

    private static byte[] checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an entry name must not be empty");
        }
        if (name.startsWith(SnapshotFormat.RESERVED_PREFIX)) {
            throw new IllegalArgumentException(
                    "entry name '" + name + "' is under the reserved prefix " + SnapshotFormat.RESERVED_PREFIX);
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        "entry name '" + name + "' must be a relative path without empty, '.' or '..' segments");
            }
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("entry name '" + name + "' contains a NUL character");
        }
        byte[] utf8 = utf8(name);
        if (!new String(utf8, StandardCharsets.UTF_8).equals(name)) {
            throw new IllegalArgumentException("entry name '" + name + "' is not valid Unicode");
        }
        return utf8;
    }

    private void ensureOpen() {
        if (finished) {
            throw new IllegalStateException("this SnapshotWriter is finished or closed");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An entry to write: its bytes are in the spool at {@code spoolOffset}, or come from {@code deferred}. */
    private record PendingEntry(
            String name, byte[] utf8Name, int kind, long spoolOffset, long length, byte[] sha256, Deferred deferred) {}

    private record IndexRecord(byte[] utf8Name, long offset, long length, int kind, byte[] sha256) {}

    private record Layout(
            int indexLength,
            int namesLength,
            long metadataOffset,
            long signatureOffset,
            long[] offsets,
            long[] starts,
            long fileLength) {}
}
