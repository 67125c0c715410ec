package dev.warmstart.snapshot.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file mapped read-only as one or more regions of at most {@code regionSize} bytes (a {@link ByteBuffer} holds
 * at most 2 GiB), with reads across a region boundary handled here and nowhere else.
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
 */
final class MappedFile {
    private final Path file;
    private final String source;
    private final FileChannel channel;
    private final ByteBuffer[] regions;
    private final long regionSize;
    private final long length;

    MappedFile(Path file, FileChannel channel, long length, long regionSize, long readLimit) throws IOException {
        this.file = file;
        this.source = file.toString();
        this.channel = channel;
        this.length = length;
        if (length <= readLimit) {
            this.regionSize = Long.MAX_VALUE; // one region, whatever the offset
            this.regions = new ByteBuffer[] {read(length)};
            return;
        }
        this.regionSize = regionSize;
        int regionCount = (int) ((length + regionSize - 1) / regionSize);
        this.regions = new ByteBuffer[regionCount];
        for (int i = 0; i < regionCount; i++) {
            long start = i * regionSize;
            regions[i] = map(start, Math.min(regionSize, length - start));
        }
    }

    /** @return the file's length when it was mapped */
    long length() {
        return length;
    }

    /** @return the first region, where the tar header and (usually) the whole index live */
    ByteBuffer firstRegion() {
        return regions[0];
    }

    /**
     * Returns {@code length} bytes at {@code offset}: a slice of one region, or a mapping of its own when the range
     * straddles two. The caller has checked the range lies inside the file.
     */
    ByteBuffer slice(long offset, int length) throws IOException {
        int region = (int) (offset / regionSize);
        long within = offset - region * regionSize;
        if (within + length <= regions[region].capacity()) {
            return regions[region].slice((int) within, length);
        }
        return map(offset, length);
    }

    /** Reads the whole file into a direct buffer with positional reads (the channel's position is never used). */
    private ByteBuffer read(long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) length);
        long at = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw changedSize(Long.toString(at), null);
            }
            at += n;
        }
        return buffer.flip();
    }

    /** Maps a range, saying what to check when the operating system refuses. */
    MappedByteBuffer map(long offset, long length) throws IOException {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            if (!channel.isOpen()) {
                throw e;
            }
            // FileChannel.map fails with "Map failed" when the process runs out of address space or of mappings;
            // neither is visible in the message, so say where to look.
            throw new IOException(
                    source + ": cannot map " + length + " bytes at offset " + offset + " (" + e.getMessage()
                            + "); check the process's address-space limit (ulimit -v) and, on Linux, the number of"
                            + " mappings allowed (sysctl vm.max_map_count)",
                    e);
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    FileChannel channel() {
        return channel;
    }

    void close() throws IOException {
        channel.close();
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
            throw new SnapshotException(source + ": cannot read its size: " + e.getMessage(), e);
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
    CorruptSnapshotException fault(InternalError e) {
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

    private CorruptSnapshotException changedSize(String now, InternalError cause) {
        return new CorruptSnapshotException(
                source + " changed size while mapped (" + length + " bytes mapped, " + now + " bytes now): never"
                        + " truncate or rewrite a served snapshot in place; write a new file and rename it over the"
                        + " old name, then open it again",
                cause);
    }
}
