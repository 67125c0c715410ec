package dev.warmstart.snapshot.loader;

/**
 * One entry of a snapshot's index, as {@link Snapshot#entries()} lists it.
 *
 * @param name the entry's name in the tar
 * @param kind the entry kind code ({@code SnapshotFormat.KIND_*})
 * @param offset where its data starts in the file
 * @param length its data length in bytes
 * @param sha256 lower-case hex SHA-256 of its data, as recorded at build time
 */
public record SnapshotEntry(String name, int kind, long offset, long length, String sha256) {}
