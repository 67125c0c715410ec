package dev.warmstart.snapshot.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writtenDocumentsParseBackEqual() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "quote \" backslash \\ newline \n tab \t control \u0001 unicode ü 😀");
        doc.put("n", 42L);
        doc.put("big", new BigInteger("123456789012345678901234567890"));
        doc.put("d", new BigDecimal("0.25"));
        doc.put("b", true);
        doc.put("z", null);
        doc.put("list", List.of(1L, "two", List.of(), Map.of()));
        assertThat(Json.parse(Json.pretty(doc))).isEqualTo(doc);
        assertThat(Json.parse(Json.compact(doc))).isEqualTo(doc);
    }

    @Test
    void prettyOutputIsIndentedWithATrailingNewline() {
        assertThat(Json.pretty(Map.of("a", List.of(1L)))).isEqualTo("{\n  \"a\": [\n    1\n  ]\n}\n");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate key");
    }

    @Test
    void malformedInputReportsAnOffset() {
        assertThatThrownBy(() -> Json.parse("{\"a\": }"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 6");
        assertThatThrownBy(() -> Json.parse("[1, 2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("1 2")).hasMessageContaining("after the JSON value");
    }

    @Test
    void nanAndInfinityCannotBeWritten() {
        assertThatThrownBy(() -> Json.compact(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void absurdNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nesting");
    }
}
