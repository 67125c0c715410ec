package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.format.TarHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The full check behind {@link Snapshot#verify()}: every byte of the index (every block of a 1.1 index, whether
 * or not a lookup checked it already), every byte of data, and the tar structure around it.
 */
final class SnapshotVerifier {
    private SnapshotVerifier() {}

    /** Entries whose SHA-256 is checked by one task when the check is spread over threads: about this many bytes. */
    private static final long SLICE_BYTES = 4L << 20;

    static void verify(Snapshot s, Executor executor) {
        // First, so damage anywhere in the index is reported as such, before it could be read as a record.
        s.index().verifyAll();
        int count = s.entryCount();
        ContentHash contentHash = new ContentHash();
        int unsorted = -1;
        for (int i = 0; i < count && unsorted < 0; i++) {
            byte[] name = s.index().nameBytes(i);
            if (i > 0 && Arrays.compareUnsigned(s.index().nameBytes(i - 1), name) >= 0) {
                unsorted = i;
            } else if (ContentHash.isContentEntry(name)) {
                contentHash.add(name, s.index().sha256(i));
            }
        }
        // The data of every entry before the first unsorted one is checked, as a sequential pass would: damage
        // there is reported first.
        int damaged = firstDamaged(s, unsorted < 0 ? count : unsorted, executor);
        if (damaged >= 0) {
            s.checkSha(damaged, s.data(damaged)); // throws, naming it
        }
        if (unsorted >= 0) {
            throw s.corrupt("has a damaged index: entries are not sorted at '"
                    + s.index().name(unsorted) + "'");
        }
        byte[] computed = contentHash.finish();
        if (!Arrays.equals(computed, s.index().contentHashBytes())) {
            throw s.corrupt("has a content hash that does not match its entries (computed " + ContentHash.hex(computed)
                    + ", index says " + s.contentHash() + "); rebuild it");
        }
        SnapshotMetadata metadata = s.metadata();
        if (!metadata.contentHash().equals(s.contentHash())
                || !metadata.id().equals(s.id())
                || metadata.fileBytes() != s.fileLength()) {
            throw s.corrupt(
                    "has metadata that disagrees with its index (metadata: id " + metadata.id() + ", content hash "
                            + metadata.contentHash() + ", " + metadata.fileBytes() + " bytes; index: id " + s.id()
                            + ", content hash " + s.contentHash() + ", " + s.fileLength() + " bytes)");
        }
        walkTar(s);
    }

    /** @return the first of entries {@code [0, end)} whose data does not match its SHA-256, or -1 */
    private static int firstDamaged(Snapshot s, int end, Executor executor) {
        if (executor == null) {
            return firstDamaged(s, 0, end);
        }
        List<CompletableFuture<Integer>> slices = new ArrayList<>();
        for (int from = 0; from < end; ) {
            int to = from;
            long bytes = 0;
            while (to < end && (to == from || bytes < SLICE_BYTES)) {
                bytes += s.index().dataLength(to);
                to++;
            }
            int sliceFrom = from;
            int sliceTo = to;
            slices.add(CompletableFuture.supplyAsync(() -> firstDamaged(s, sliceFrom, sliceTo), executor));
            from = to;
        }
        int first = -1;
        RuntimeException failure = null;
        for (CompletableFuture<Integer> slice : slices) {
            try {
                int damaged = slice.join();
                if (first < 0 && damaged >= 0) {
                    first = damaged;
                }
            } catch (CompletionException e) {
                // Every slice is waited for, so none still reads the mapping when the caller goes on.
                if (failure == null) {
                    failure = unwrap(e);
                }
            }
        }
        if (first >= 0) {
            return first;
        }
        if (failure != null) {
            throw failure;
        }
        return -1;
    }

    private static RuntimeException unwrap(CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Error error) {
            throw error; // InternalError from a truncated mapping: Snapshot.verify translates it
        }
        return cause instanceof RuntimeException r ? r : e;
    }

    private static int firstDamaged(Snapshot s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!s.shaMatches(i, s.data(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Reads the tar as any tar reader would and checks it describes exactly what the index says. */
    private static void walkTar(Snapshot s) {
        long pos = 0;
        int seen = 0;
        byte[] pendingPaxName = null;
        long end = s.fileLength() - 2L * SnapshotFormat.BLOCK;
        while (pos < end) {
            ByteBuffer header = s.range(pos, SnapshotFormat.BLOCK);
            long computed = TarHeaders.computeChecksum(header, 0);
            long stored = TarHeaders.parseOctal(header, 148, 8);
            if (computed != stored) {
                throw s.corrupt("has a damaged tar header at offset " + pos + " (checksum " + computed + ", stored "
                        + stored + ")");
            }
            long size = TarHeaders.parseOctal(header, 124, 12);
            if (size < 0 || size > end - pos - SnapshotFormat.BLOCK) {
                throw s.corrupt("has a tar header at offset " + pos + " with a bad size (" + size + " bytes, "
                        + Math.max(0, end - pos - SnapshotFormat.BLOCK) + " left before the end-of-archive marker)");
            }
            long dataStart = pos + SnapshotFormat.BLOCK;
            byte type = header.get(156);
            if (type == TarHeaders.TYPE_PAX) {
                pendingPaxName = TarHeaders.paxPath(s.range(dataStart, (int) size), 0, (int) size);
                if (pendingPaxName == null) {
                    throw s.corrupt("has a pax header at offset " + pos + " without a path record");
                }
            } else if (type == TarHeaders.TYPE_FILE) {
                byte[] name = pendingPaxName != null ? pendingPaxName : TarHeaders.nameField(header, 0);
                pendingPaxName = null;
                String display = new String(name, StandardCharsets.UTF_8);
                if (pos == 0) {
                    if (!display.equals(SnapshotFormat.INDEX_ENTRY) || size != s.indexLength()) {
                        throw s.corrupt("has a first tar entry that is not its index ('" + display + "', " + size
                                + " bytes; expected '" + SnapshotFormat.INDEX_ENTRY + "', " + s.indexLength()
                                + " bytes)");
                    }
                } else {
                    int i = s.index().find(name);
                    if (i < 0) {
                        throw s.corrupt(
                                "has tar entry '" + display + "' at offset " + pos + " that the index does not list");
                    }
                    if (s.index().dataOffset(i) != dataStart || s.index().dataLength(i) != size) {
                        throw s.corrupt("has tar entry '" + display + "' at bytes " + dataStart + "+" + size
                                + " where the index places it at " + s.index().dataOffset(i) + "+"
                                + s.index().dataLength(i));
                    }
                }
                seen++;
            } else {
                throw s.corrupt("has a tar entry of unexpected type '" + (char) type + "' at offset " + pos);
            }
            pos = dataStart + TarHeaders.padded(size);
        }
        if (pos != end || seen != s.entryCount() + 1) {
            throw s.corrupt(
                    "has a tar structure that disagrees with its index (" + seen + " tar entries ending at offset "
                            + pos + ", " + (s.entryCount() + 1) + " expected ending at " + end + ")");
        }
        ByteBuffer trailer = s.range(end, 2 * SnapshotFormat.BLOCK);
        for (int i = 0; i < 2 * SnapshotFormat.BLOCK; i++) {
            if (trailer.get(i) != 0) {
                throw s.corrupt("has a damaged end-of-archive marker (byte " + (trailer.get(i) & 0xff) + " at offset "
                        + (end + i) + ", expected 0)");
            }
        }
    }
}
