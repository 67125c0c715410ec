package dev.warmstart.snapshot.writer;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What {@link SnapshotWriter#finish} wrote.
 *
 * @param file the snapshot file
 * @param id the snapshot id
 * @param contentHash hex SHA-256 content hash (names and data of the content entries)
 * @param fileSha256 hex SHA-256 of the whole file, as a {@code .sha256} sidecar records it
 * @param fileBytes the file's length
 * @param entryCount number of content entries
 * @param created the creation time recorded
 */
public record WrittenSnapshot(
        Path file, String id, String contentHash, String fileSha256, long fileBytes, int entryCount, Instant created) {}
