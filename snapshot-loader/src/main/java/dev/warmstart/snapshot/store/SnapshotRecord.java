package dev.warmstart.snapshot.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One snapshot known to a store.
 *
 * @param id the snapshot id
 * @param file its file, relative to the store directory
 * @param contentHash its content hash
 * @param created when it was built (ISO-8601)
 * @param size its size in bytes
 * @param provenance its provenance fields
 * @param status {@code published}, {@code stable}, {@code canary}, {@code retired} or {@code rolled-back}
 * @param reason why the status last changed (may be empty)
 * @param changedAt when the status last changed (ISO-8601)
 */
public record SnapshotRecord(
        String id,
        String file,
        String contentHash,
        String created,
        long size,
        Map<String, String> provenance,
        String status,
        String reason,
        String changedAt) {

    /** Status of a snapshot that is registered but serves no channel. */
    public static final String PUBLISHED = "published";
    /** Status of the stable snapshot. */
    public static final String STABLE = "stable";
    /** Status of a canary's snapshot. */
    public static final String CANARY = "canary";
    /** Status of a former stable or canary, replaced normally. */
    public static final String RETIRED = "retired";
    /** Status of a snapshot taken out of service because it misbehaved or by a rollback. */
    public static final String ROLLED_BACK = "rolled-back";

    /** Copies the provenance into a sorted, unmodifiable map. */
    public SnapshotRecord {
        provenance = Collections.unmodifiableMap(new TreeMap<>(provenance == null ? Map.of() : provenance));
        reason = reason == null ? "" : reason;
    }

    /** @return this record with another status */
    public SnapshotRecord withStatus(String newStatus, String why, String at) {
        return new SnapshotRecord(id, file, contentHash, created, size, provenance, newStatus, why, at);
    }
}
