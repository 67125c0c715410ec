package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config key table, from tree to bytes to typed lookups. */
class KeyTableTest {
    private static Config config(Object tree) {
        return config(tree, Map.of(), Map.of());
    }

    private static Config config(Object tree, Map<String, String> env, Map<String, String> sys) {
        ConfigTableWriter writer = new ConfigTableWriter();
        writer.put("", tree);
        return new Config(ByteBuffer.wrap(writer.toTableBytes()).asReadOnlyBuffer(), "test.tar", env::get, sys::get);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void nestedMapsBecomeDottedPathsAndListsIndices() {
        Config c = config(map(
                "model",
                map("name", "gpt-4o", "completion_params", map("temperature", 0.2)),
                "stop",
                List.of("a", "b"),
                "nodes",
                List.of(map("id", "n1"), map("id", "n2"))));
        assertThat(c.getString("model.name")).isEqualTo("gpt-4o");
        assertThat(c.getDouble("model.completion_params.temperature")).isEqualTo(0.2);
        assertThat(c.getString("stop[1]")).isEqualTo("b");
        assertThat(c.getString("nodes[1].id")).isEqualTo("n2");
        assertThat(c.getStringList("stop")).containsExactly("a", "b");
        assertThat(c.keys())
                .containsExactly(
                        "model.completion_params.temperature",
                        "model.name",
                        "nodes[0].id",
                        "nodes[1].id",
                        "stop[0]",
                        "stop[1]");
    }

    @Test
    void nestedListsIndexTwice() {
        Config c = config(map("grid", List.of(List.of(1, 2), List.of(3))));
        assertThat(c.getInt("grid[0][1]")).isEqualTo(2);
        assertThat(c.getInt("grid[1][0]")).isEqualTo(3);
    }

    @Test
    void oddKeysAreEscapedAndFoundWithTheSameSpelling() {
        Config c = config(map("a.b", 1, "c[0]", 2, "back\\slash", 3, "ünï", map("文件", 5)));
        assertThat(c.getInt(ConfigPath.escapeSegment("a.b"))).isEqualTo(1);
        assertThat(c.getInt("a\\.b")).isEqualTo(1);
        assertThat(c.getInt("c\\[0\\]")).isEqualTo(2);
        assertThat(c.getInt("back\\\\slash")).isEqualTo(3);
        assertThat(c.getInt("ünï.文件")).isEqualTo(5);
        assertThat(c.contains("a.b")).isFalse();
    }

    @Test
    void keysSortByUtf8BytesNotUtf16() {
        // U+FF61 sorts after U+1F600 in UTF-16 (surrogates are D8xx) but before it in UTF-8 / code points.
        Config c = config(map("\uFF61", 1, "\uD83D\uDE00", 2, "z", 3));
        assertThat(c.keys()).containsExactly("z", "\uFF61", "\uD83D\uDE00");
        assertThat(c.getInt("\uD83D\uDE00")).isEqualTo(2);
        assertThat(c.getInt("\uFF61")).isEqualTo(1);
    }

    @Test
    void keysThatShareLongPrefixesOrDifferAtEightByteBoundariesAreEachFound() {
        // Lookups compare eight bytes at a time: keys differing just before, at and after a chunk boundary, keys
        // that are prefixes of others, and bytes above 0x7f (which sort after ASCII, as unsigned bytes).
        List<String> keys = List.of(
                "services.svc_0125.endpoint",
                "services.svc_0125.endpoint2",
                "services.svc_0125.endpoinu",
                "services.svc_0126.endpoint",
                "services",
                "services.svc_012",
                "service\\.",
                "servicez",
                "services.svc_0125.éndpoint",
                "services.svc_0125.ndpoint",
                "abcdefg",
                "abcdefgh",
                "abcdefghi",
                "abcdefgi");
        Map<String, Object> tree = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            tree.put(keys.get(i), i);
        }
        Config c = config(tree);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(c.getInt(ConfigPath.escapeSegment(keys.get(i))))
                    .as(keys.get(i))
                    .isEqualTo(i);
        }
        for (String absent : List.of("services.svc_0125.endpoin", "services.svc_0125", "abcdefgg", "abcdefghh", "")) {
            assertThat(c.contains(absent)).as(absent).isFalse();
        }
    }

    @Test
    void numbersKeepTheirType() {
        Config c = config(map(
                "i",
                7,
                "min",
                Long.MIN_VALUE,
                "max",
                Long.MAX_VALUE,
                "big",
                new BigInteger("123456789012345678901234567890"),
                "d",
                0.1,
                "e",
                1e300,
                "neg0",
                -0.0,
                "dec",
                new BigDecimal("0.1000000000000000000000001")));
        assertThat(c.getLong("min")).isEqualTo(Long.MIN_VALUE);
        assertThat(c.getLong("max")).isEqualTo(Long.MAX_VALUE);
        assertThat(c.value("i")).isEqualTo(7L);
        assertThat(c.value("big")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(c.getString("big")).isEqualTo("123456789012345678901234567890");
        assertThat(c.getDouble("d")).isEqualTo(0.1);
        assertThat(c.getDouble("e")).isEqualTo(1e300);
        assertThat(Double.doubleToRawLongBits(c.getDouble("neg0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(c.value("dec")).isEqualTo(new BigDecimal("0.1000000000000000000000001"));
        assertThat(c.getDouble("i")).isEqualTo(7.0);
    }

    @Test
    void intOverflowIsATypeError() {
        Config c = config(map("big", 1L << 40));
        assertThatThrownBy(() -> c.getInt("big"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("getLong");
    }

    @Test
    void booleansAndTheirTextForms() {
        Config c = config(map("t", true, "f", false, "s", "TRUE", "x", "maybe"));
        assertThat(c.getBoolean("t")).isTrue();
        assertThat(c.getBoolean("f")).isFalse();
        assertThat(c.getBoolean("s")).isTrue();
        assertThat(c.getString("t")).isEqualTo("true");
        assertThatThrownBy(() -> c.getBoolean("x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("maybe");
    }

    @Test
    void nullIsPresentButHasNoValue() {
        Config c = config(map("n", null));
        assertThat(c.contains("n")).isTrue();
        assertThat(c.isNull("n")).isTrue();
        assertThat(c.findString("n")).isEmpty();
        assertThat(c.getString("n", "dflt")).isEqualTo("dflt");
        assertThat(c.getInt("n", 5)).isEqualTo(5);
        assertThatThrownBy(() -> c.getString("n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is null");
    }

    @Test
    void emptyListsAndMapsSurvive() {
        Config c = config(map("list", List.of(), "map", Map.of()));
        assertThat(c.getStringList("list")).isEmpty();
        assertThat(c.value("map")).isEqualTo(Map.of());
        assertThatThrownBy(() -> c.getString("map"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("empty map");
    }

    @Test
    void missingKeysNameTheKeyAndFileAndDefaultsApply() {
        Config c = config(map("a", 1));
        assertThatThrownBy(() -> c.getString("b.c"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'b.c'")
                .hasMessageContaining("test.tar");
        assertThat(c.getString("b", "x")).isEqualTo("x");
        assertThat(c.findLong("b")).isEmpty();
        assertThat(c.getStringList("b", List.of("d"))).containsExactly("d");
        assertThatThrownBy(() -> c.getStringList("b")).isInstanceOf(ConfigException.class);
    }

    @Test
    void numericStringsParseForNumericGetters() {
        Config c = config(map("port", "8080", "ratio", " 0.5 ", "word", "eighty"));
        assertThat(c.getInt("port")).isEqualTo(8080);
        assertThat(c.getDouble("ratio")).isEqualTo(0.5);
        assertThatThrownBy(() -> c.getInt("word"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'word'")
                .hasMessageContaining("not an integer");
    }

    @Test
    void placeholdersResolveAtLookupFromEnvAndSystemProperties() {
        Config c = config(
                map(
                        "key",
                        "${env:API_KEY}",
                        "url",
                        "${env:BASE:-http://localhost}/v1",
                        "empty",
                        "${env:NOPE:-}",
                        "both",
                        "Bearer ${env:API_KEY} for ${sys:user.name}",
                        "escaped",
                        "$${env:NOT_RESOLVED}",
                        "port",
                        "${env:PORT:-8080}",
                        "unset",
                        "${env:MISSING}"),
                Map.of("API_KEY", "k-123"),
                Map.of("user.name", "ada"));
        assertThat(c.getString("key")).isEqualTo("k-123");
        assertThat(c.getString("url")).isEqualTo("http://localhost/v1");
        assertThat(c.getString("empty")).isEmpty();
        assertThat(c.getString("both")).isEqualTo("Bearer k-123 for ada");
        assertThat(c.getString("escaped")).isEqualTo("${env:NOT_RESOLVED}");
        assertThat(c.getInt("port")).isEqualTo(8080);
        assertThat(c.value("key")).isEqualTo("${env:API_KEY}");
        assertThatThrownBy(() -> c.getString("unset"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("MISSING")
                .hasMessageContaining("'unset'")
                .hasMessageContaining("test.tar");
    }

    @Test
    void placeholdersAreResolvedAtEveryLookupNotCached() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("V", "one"));
        ConfigTableWriter writer = new ConfigTableWriter();
        writer.put("", map("v", "${env:V}"));
        Config c = new Config(ByteBuffer.wrap(writer.toTableBytes()), "t", env::get, k -> null);
        assertThat(c.getString("v")).isEqualTo("one");
        env.put("V", "two");
        assertThat(c.getString("v")).isEqualTo("two");
    }

    @Test
    void subtreesAreRelativeViews() {
        Config c = config(map(
                "model",
                map("name", "m", "params", map("t", 1)),
                "stop",
                List.of("x", "y"),
                "nodes",
                List.of(map("id", "n1"))));
        Config model = c.subtree("model");
        assertThat(model.getString("name")).isEqualTo("m");
        assertThat(model.subtree("params").getInt("t")).isEqualTo(1);
        assertThat(model.keys()).containsExactly("name", "params.t");
        assertThat(c.subtree("stop").getString("[1]")).isEqualTo("y");
        assertThat(c.subtree("nodes[0]").getString("id")).isEqualTo("n1");
        assertThat(c.subtree("stop").keys()).containsExactly("[0]", "[1]");
        assertThatThrownBy(() -> model.getString("nope")).hasMessageContaining("'model.nope'");
    }

    @Test
    void deepNestingWorks() {
        Object tree = "leaf";
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            tree = map("k" + i, tree);
        }
        for (int i = 199; i >= 0; i--) {
            path.append(path.length() == 0 ? "" : ".").append("k").append(i);
        }
        assertThat(config(tree).getString(path.toString())).isEqualTo("leaf");
    }

    @Test
    void duplicateAndConflictingKeysAreRefusedAtBuildTime() {
        ConfigTableWriter writer = new ConfigTableWriter();
        writer.put("a", map("b", 1));
        assertThatThrownBy(() -> writer.put("a", map("b", 2))).hasMessageContaining("'a.b' is defined twice");
        assertThatThrownBy(() -> writer.put("a.b.c", 3)).hasMessageContaining("already holds a value");
        assertThatThrownBy(() -> writer.put("", map("a", 4))).hasMessageContaining("already has children");
        assertThatThrownBy(() -> writer.put("x", Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> writer.put("y", new Object())).hasMessageContaining("only strings");
        assertThatThrownBy(() -> writer.put("z", map("", 1))).hasMessageContaining("is empty");
    }

    @Test
    void canonicalJsonIsIndependentOfKeyOrder() {
        Map<String, Object> a = map("z", 1, "a", map("y", List.of(1, 2), "b", "text"), "m", List.of());
        Map<String, Object> b = map("m", List.of(), "a", map("b", "text", "y", List.of(1, 2)), "z", 1);
        ConfigTableWriter wa = new ConfigTableWriter();
        wa.put("", a);
        ConfigTableWriter wb = new ConfigTableWriter();
        wb.put("", b);
        assertThat(wa.toCanonicalJson()).isEqualTo(wb.toCanonicalJson());
        assertThat(wa.toTableBytes()).isEqualTo(wb.toTableBytes());
        assertThat(new String(wa.toCanonicalJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\n  \"a\": {\n    \"b\": \"text\",\n    \"y\": [\n      1,\n      2\n    ]\n  },\n"
                        + "  \"m\": [],\n  \"z\": 1\n}\n");
    }

    @Test
    void canonicalJsonKeepsListOrderBeyondTenElements() {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            list.add((long) i);
        }
        ConfigTableWriter w = new ConfigTableWriter();
        w.put("", map("l", list));
        Object parsed =
                dev.warmstart.snapshot.format.Json.parse(new String(w.toCanonicalJson(), StandardCharsets.UTF_8));
        assertThat(((Map<?, ?>) parsed).get("l")).isEqualTo(list);
    }

    @Test
    void damagedTablesAreCorruptNotIndexErrors() {
        ConfigTableWriter writer = new ConfigTableWriter();
        writer.put("", map("a", "x", "b", 2));
        byte[] good = writer.toTableBytes();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> new Config(ByteBuffer.wrap(truncated), "t.tar"))
                    .isInstanceOf(CorruptSnapshotException.class);
        }
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> new Config(ByteBuffer.wrap(badMagic), "t.tar")).hasMessageContaining("magic");
        byte[] badOffset = good.clone();
        ByteBuffer.wrap(badOffset).putInt(16, 1_000_000); // first record's key offset
        Config c = new Config(ByteBuffer.wrap(badOffset), "t.tar");
        assertThatThrownBy(() -> c.getString("a"))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("outside its heap");
    }

    @Test
    void entriesListWhatWasWritten() {
        ConfigTableWriter writer = new ConfigTableWriter();
        writer.put("p", map("s", "x", "n", 1, "l", List.of()));
        assertThat(writer.entries())
                .containsExactly(
                        Map.entry("p.l", Collections.emptyList()), Map.entry("p.n", 1L), Map.entry("p.s", "x"));
    }
}
