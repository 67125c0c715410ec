package dev.warmstart.snapshot.plugin;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Reads {@code project.build.outputTimestamp} the way Maven's own archivers do. */
final class BuildTimestamp {
    private BuildTimestamp() {}

    /**
     * @param value the property's value: ISO-8601 with an offset, or seconds since the epoch; empty or a
     *     single character (Maven's convention for "unset") means no fixed timestamp
     * @return the instant, truncated to whole seconds, or null when the build is not reproducible-by-time
     * @throws IllegalArgumentException when the value is set but unreadable
     */
    static Instant parse(String value) {
        if (value == null || value.strip().length() < 2) {
            return null;
        }
        String v = value.strip();
        try {
            if (v.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochSecond(Long.parseLong(v));
            }
            return OffsetDateTime.parse(v).toInstant().truncatedTo(ChronoUnit.SECONDS);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(
                    "project.build.outputTimestamp '" + v
                            + "' is neither ISO-8601 (e.g. 2026-01-01T00:00:00Z) nor seconds since the epoch",
                    e);
        }
    }
}
