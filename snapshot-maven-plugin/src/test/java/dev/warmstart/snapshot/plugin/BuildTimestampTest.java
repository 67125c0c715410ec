package dev.warmstart.snapshot.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class BuildTimestampTest {
    @Test
    void isoTimestampIsReadAndTruncatedToSeconds() {
        assertThat(BuildTimestamp.parse("2026-01-02T03:04:05.678Z")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void offsetsAreConvertedToUtc() {
        assertThat(BuildTimestamp.parse("2026-01-02T03:04:05+02:00")).isEqualTo(Instant.parse("2026-01-02T01:04:05Z"));
    }

    @Test
    void secondsSinceTheEpochAreAccepted() {
        assertThat(BuildTimestamp.parse("1767225600")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void unsetEmptyOrSingleCharacterMeansNoFixedTime() {
        assertThat(BuildTimestamp.parse(null)).isNull();
        assertThat(BuildTimestamp.parse("")).isNull();
        assertThat(BuildTimestamp.parse("a")).isNull();
    }

    @Test
    void garbageIsAClearError() {
        assertThatThrownBy(() -> BuildTimestamp.parse("yesterday"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("project.build.outputTimestamp")
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void theParsersReasonIsKeptAsTheCause() {
        assertThatThrownBy(() -> BuildTimestamp.parse("2026-13-01T00:00:00Z"))
                .hasCauseInstanceOf(DateTimeParseException.class);
    }
}
