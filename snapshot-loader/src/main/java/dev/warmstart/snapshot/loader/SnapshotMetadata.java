package dev.warmstart.snapshot.loader;

import dev.warmstart.snapshot.format.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The human-readable description of a snapshot, stored as JSON in its {@code .warmstart/metadata.json} entry.
 *
 * @param id the snapshot id, {@code yyyyMMdd'T'HHmmss'Z'-<first 12 hex of the content hash>}
 * @param created when the snapshot was built (from {@code project.build.outputTimestamp} when set), UTC
 * @param contentHash lower-case hex SHA-256 content hash (see {@code docs/format.md})
 * @param formatVersion the format version, {@code major.minor}
 * @param producer the tool that wrote the snapshot
 * @param producerVersion that tool's version
 * @param entryCount number of content entries (bookkeeping entries under {@code .warmstart/} not counted)
 * @param contentBytes total data length of the content entries
 * @param fileBytes length of the whole snapshot file
 * @param provenance where the snapshot comes from: {@code project}, {@code gitCommit}, {@code ciBuild},
 *     {@code baseImage}... (only the keys that were known), sorted by key
 */
public record SnapshotMetadata(
        String id,
        Instant created,
        String contentHash,
        String formatVersion,
        String producer,
        String producerVersion,
        long entryCount,
        long contentBytes,
        long fileBytes,
        Map<String, String> provenance) {

    /** Copies {@code provenance} into an unmodifiable sorted map. */
    public SnapshotMetadata {
        provenance = Collections.unmodifiableMap(new TreeMap<>(provenance == null ? Map.of() : provenance));
    }

    /** @return this metadata as the pretty-printed JSON document stored in the snapshot */
    public String toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", id);
        doc.put("created", created.toString());
        doc.put("contentHash", contentHash);
        doc.put("formatVersion", formatVersion);
        doc.put("producer", producer);
        doc.put("producerVersion", producerVersion);
        doc.put("entryCount", entryCount);
        doc.put("contentBytes", contentBytes);
        doc.put("fileBytes", fileBytes);
        doc.put("provenance", new LinkedHashMap<>(provenance));
        return Json.pretty(doc);
    }

    /**
     * Parses the metadata JSON of a snapshot.
     *
     * @param json the document
     * @param source the snapshot file, for error messages
     * @throws CorruptSnapshotException when the document is not valid metadata
     */
    public static SnapshotMetadata fromJson(String json, String source) {
        try {
            if (!(Json.parse(json) instanceof Map<?, ?> doc)) {
                throw new IllegalArgumentException("not a JSON object");
            }
            Map<String, String> provenance = new TreeMap<>();
            if (doc.get("provenance") instanceof Map<?, ?> p) {
                p.forEach((k, v) -> provenance.put(String.valueOf(k), String.valueOf(v)));
            }
            return new SnapshotMetadata(
                    text(doc, "id"),
                    Instant.parse(text(doc, "created")),
                    text(doc, "contentHash"),
                    text(doc, "formatVersion"),
                    text(doc, "producer"),
                    text(doc, "producerVersion"),
                    number(doc, "entryCount"),
                    number(doc, "contentBytes"),
                    number(doc, "fileBytes"),
                    provenance);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CorruptSnapshotException(
                    source + ": the metadata entry is not valid (" + e.getMessage() + "); rebuild the snapshot", e);
        }
    }

    private static String text(Map<?, ?> doc, String key) {
        Object v = doc.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("field '" + key + "' is missing or not a string");
        }
        return s;
    }

    private static long number(Map<?, ?> doc, String key) {
        Object v = doc.get(key);
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("field '" + key + "' is missing or not an integer");
        }
        return l;
    }
}
