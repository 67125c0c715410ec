package dev.warmstart.snapshot.format;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the JSON reader: any text gives a value or an {@link IllegalArgumentException} (its documented error). */
class JsonFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void parse(String text) {
        if (text == null) {
            return; // Jazzer's default input; the readers take non-null text
        }
        Object value;
        try {
            value = Json.parse(text);
        } catch (IllegalArgumentException expected) {
            return;
        }
        // What was read writes back and reads again to the same value.
        String written = Json.compact(value);
        if (!Json.compact(Json.parse(written)).equals(written)) {
            throw new AssertionError("JSON does not round-trip: " + written);
        }
    }
}
