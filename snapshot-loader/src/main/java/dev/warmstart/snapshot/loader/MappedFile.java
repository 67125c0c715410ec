package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file mapped read-only as one or more regions of at most {@code regionSize} bytes (a {@link ByteBuffer} holds
 * at most 2 GiB), with reads across a region boundary handled here and nowhere else. The file is mapped by the
 * first read that needs it, not when this object is made: open reads what it checks with {@link #head(int)}.
 *
 * <p>A file no larger than the {@code readLimit} it is opened with is not mapped but read, whole, with positional
 * reads into one direct buffer: outside the Java heap, parsed no more than a mapping is, and never touched by a
 * later truncation of the file. {@code FileChannel.map} bootstraps method handles on its first call in a JVM
 * (tens of milliseconds on Java 25, see {@code docs/cold-start.md}), which is most of what opening a small
 * snapshot would otherwise add to a service's start-up; a copy of a few MiB costs far less.
 *
 * <p>It also owns the one defence against a file that changes under its mapping: when another process truncates
 * a mapped file, touching a page past the new end raises SIGBUS, which HotSpot turns into an
 * {@link InternalError} thrown from whatever read touched it. {@link #fault(InternalError)} tells that case apart
 * (the file's size on disk no longer matches the mapped size) and turns it into a
 * {@link CorruptSnapshotException} that says what happened and how to avoid it.
 *
 * <p>How the file is mapped, and whether {@link #close()} unmaps it, is up to {@link FileMapping}: on Java 17 each
 * region is a {@code MappedByteBuffer} the garbage collector unmaps once unreachable; on Java 22 and later (its
 * {@code ArenaFileMapping}, chosen at run time) the whole file is one mapping of a shared arena, unmapped by
 * {@link #close()}.
 */
final class MappedFile {
    private final Path file;
    private final String source;
    private final FileChannel channel;
    private final long regionSize;
    private final long length;
    /** Set when the file is first mapped; never for a file read whole, which needs nothing of FileMapping. */
    private volatile FileMapping mapping; // written under this object's lock

    private boolean closed; // guarded by this
    /** The regions; for a mapped file null until the first read that needs them (see {@link #regions()}). */
    private volatile ByteBuffer[] regions;

    MappedFile(Path file, FileChannel channel, long length, long regionSize, long readLimit) throws IOException {
        this.file = file;
        this.source = file.toString();
        this.channel = channel;
        this.length = length;
        if (length <= readLimit) {
            this.regionSize = Long.MAX_VALUE; // one region, whatever the offset
            this.regions = new ByteBuffer[] {readWhole()};
            return;
        }
        // Mapped on first use, not here: open needs only the file's first bytes (head()), and a mapping's cost
        // grows with its size (docs/performance.md section 1).
        this.regionSize = regionSize;
    }

    /**
     * Returns the file's first {@code wanted} bytes (fewer when the file is shorter), positioned at 0: a view of
     * the memory a small file was read into, or a copy read with one positional read, so that open neither maps
     * the file nor faults a page of it in.
     */
    ByteBuffer head(int wanted) throws IOException {
        int n = (int) Math.min(wanted, length);
        ByteBuffer[] read = regions;
        if (read != null) {
            return read[0].slice(0, n);
        }
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                throw changedSize(Long.toString(buffer.position()), null);
            }
        }
        return buffer.flip();
    }

    /**
     * The regions, mapping the file on the first call. Racing callers map it once; a call after {@link #close()}
     * maps nothing and throws {@link IllegalStateException}, so a closed snapshot never leaves a mapping behind.
     */
    private ByteBuffer[] regions() throws IOException {
        ByteBuffer[] mapped = regions;
        if (mapped != null) {
            return mapped;
        }
        synchronized (this) {
            if (regions == null) {
                if (closed) {
                    throw new IllegalStateException(source + " is closed; open it again to read it");
                }
                FileMapping m = newMapping(channel, length);
                int regionCount = (int) ((length + regionSize - 1) / regionSize);
                ByteBuffer[] all = new ByteBuffer[regionCount];
                try {
                    for (int i = 0; i < regionCount; i++) {
                        long start = i * regionSize;
                        all[i] = map(m, start, Math.min(regionSize, length - start));
                    }
                } catch (IOException | RuntimeException | Error e) {
                    m.close();
                    throw e;
                }
                mapping = m;
                regions = all;
            }
            return regions;
        }
    }

    /** @return whether {@link #close()} unmaps the file on this JVM (Java 22+), rather than a garbage collection */
    static boolean unmapsOnClose() {
        return FileMapping.unmapsOnClose();
    }

    /** @return the file's length when it was mapped */
    long length() {
        return length;
    }

    /**
     * Returns {@code length} bytes at {@code offset}: a slice of one region, or a mapping of its own when the range
     * straddles two. The caller has checked the range lies inside the file.
     */
    ByteBuffer slice(long offset, int length) throws IOException {
        ByteBuffer[] all = regions();
        int region = (int) (offset / regionSize);
        long within = offset - region * regionSize;
        if (within + length <= all[region].capacity()) {
            return all[region].slice((int) within, length);
        }
        return map(offset, length);
    }

    /**
     * Reads the whole file, with positional reads (the channel's position is never used), into one new direct
     * buffer; returns a read-only view, as a mapping would be. The memory is freed by the garbage collector, not by
     * {@link #close()}, on every Java version: not taken from an arena on Java 22+, because creating the first
     * shared arena costs a cold JVM tens of milliseconds of FFM bootstrap, which reading exists to avoid
     * (docs/cold-start.md). Done here rather than by {@link FileMapping}, so that a start-up that reads its snapshot
     * loads no class it does not run (docs/performance.md section 5).
     */
    private ByteBuffer readWhole() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) length);
        long at = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw changedSize(Long.toString(at), null);
            }
            at += n;
        }
        return buffer.flip().asReadOnlyBuffer();
    }

    /** Maps a range, saying what to check when the operating system refuses. */
    ByteBuffer map(long offset, long length) throws IOException {
        regions();
        return map(mapping, offset, length);
    }

    private ByteBuffer map(FileMapping m, long offset, long length) throws IOException {
        try {
            return m.map(offset, length);
        } catch (IOException e) {
            throw mapFailed(offset, length, e);
        }
    }

    private FileMapping newMapping(FileChannel channel, long length) throws IOException {
        try {
            return FileMapping.map(channel, length);
        } catch (IOException e) {
            throw mapFailed(0, length, e);
        }
    }

    private IOException mapFailed(long offset, long length, IOException e) {
        if (!channel.isOpen()) {
            return e;
        }
        // FileChannel.map fails with "Map failed" when the process runs out of address space or of mappings;
        // neither is visible in the message, so say where to look.
        return new IOException(
                source + ": cannot map " + length + " bytes at offset " + offset + " (" + e.getMessage()
                        + "); check the process's address-space limit (ulimit -v) and, on Linux, the number of"
                        + " mappings allowed (sysctl vm.max_map_count)",
                e);
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    FileChannel channel() {
        return channel;
    }

    /**
     * Closes the file, and on Java 22+ unmaps it: every buffer of this file then throws
     * {@link IllegalStateException} when read, in whatever thread reads it.
     */
    void close() throws IOException {
        FileMapping m;
        synchronized (this) {
            closed = true;
            m = mapping;
        }
        try {
            channel.close();
        } finally {
            if (m != null) {
                m.close();
            }
        }
    }

    /** @return whether the file is mapped (or was read whole) yet: for the tests */
    boolean isMapped() {
        return regions != null;
    }

    /**
     * Checks the file still has the size it was mapped with, before a read that would touch many pages
     * (verification, decoding). This is what makes the defence dependable: the JVM reports a fault in a mapped
     * read synchronously only from interpreted code; from compiled code it throws the {@link InternalError} later,
     * wherever the thread next checks, which may be past any handler of ours.
     *
     * @throws CorruptSnapshotException when the size changed
     */
    void requireUnchangedSize() {
        long now;
        try {
            now = channel.size();
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw new IllegalStateException(source + " is closed; open it again to read it", e);
            }
            throw Failures.snapshot(source + ": cannot read its size: " + e.getMessage(), e);
        }
        if (now != length) {
            throw changedSize(Long.toString(now), null);
        }
    }

    /**
     * Turns the {@link InternalError} of a faulting mapped read into a {@link CorruptSnapshotException} when the
     * file no longer has the size it was mapped with; rethrows it unchanged otherwise (it is then not ours to
     * explain).
     *
     * @return the exception to throw
     */
    RuntimeException fault(InternalError e) {
        long now;
        try {
            now = channel.isOpen() ? channel.size() : Files.size(file);
        } catch (IOException | RuntimeException sizeUnknown) {
            e.addSuppressed(sizeUnknown);
            now = -1;
        }
        if (now == length) {
            throw e;
        }
        return changedSize(now < 0 ? "an unknown number of" : Long.toString(now), e);
    }

    /**
     * Explains the {@link IllegalStateException} the JVM throws when a buffer of a closed and unmapped file (Java
     * 22+) is read: names the file and what to do; returns it unchanged when this file is still open.
     *
     * @return the exception to throw
     */
    IllegalStateException closed(IllegalStateException e) {
        if (channel.isOpen()) {
            return e;
        }
        return new IllegalStateException(
                source + " is closed, and closing unmapped it: read its config and entries while it is open (a"
                        + " SnapshotManager lease keeps it open until released), or open it again",
                e);
    }

    private RuntimeException changedSize(String now, InternalError cause) {
        return Failures.corrupt(
                source + " changed size while mapped (" + length + " bytes mapped, " + now + " bytes now): never"
                        + " truncate or rewrite a served snapshot in place; write a new file and rename it over the"
                        + " old name, then open it again",
                cause);
    }
}
