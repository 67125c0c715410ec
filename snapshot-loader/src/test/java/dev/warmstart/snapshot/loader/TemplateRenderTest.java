package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.PromptSyntaxException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prompt templates: tokenizing rules at build time, rendering at run time. */
class TemplateRenderTest {
    private static PromptTemplate template(String text, PromptSyntax syntax, List<String> declared) throws Exception {
        CompiledPrompt compiled = PromptCompiler.compile(
                new PromptSource("p", text, syntax, declared, Map.of("version", "1", "description", "d")));
        return PromptTemplate.decode("p", ByteBuffer.wrap(compiled.toBytes()).asReadOnlyBuffer(), "t.tar");
    }

    private static PromptTemplate plain(String text) throws Exception {
        return template(text, PromptSyntax.PLAIN, null);
    }

    @Test
    void placeholdersWithAndWithoutSpacesRender() throws Exception {
        PromptTemplate t = plain("Hi {{name}}, {{ name }} from {{\tplace }}!");
        assertThat(t.variables()).containsExactly("name", "place");
        assertThat(t.render(Map.of("name", "Ada", "place", "London"))).isEqualTo("Hi Ada, Ada from London!");
    }

    @Test
    void escapedBracesAreLiteralAndStrayClosingBracesToo() throws Exception {
        PromptTemplate t = plain("Write \\{{name}} literally; }} stays; {{x}}");
        assertThat(t.variables()).containsExactly("x");
        assertThat(t.render(Map.of("x", 1))).isEqualTo("Write {{name}} literally; }} stays; 1");
    }

    @Test
    void unbalancedBracesReportLineAndColumn() {
        assertThatThrownBy(() -> plain("line one\nline {{two"))
                .isInstanceOfSatisfying(PromptSyntaxException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(6);
                    assertThat(e.getMessage()).contains("unbalanced", "\\{{");
                });
    }

    @Test
    void invalidNamesAreRefusedInPlainTemplates() {
        assertThatThrownBy(() -> plain("{{ 1abc }}"))
                .isInstanceOf(PromptSyntaxException.class)
                .hasMessageContaining("invalid variable name");
        assertThatThrownBy(() -> plain("{{\"json\": 1}}")).isInstanceOf(PromptSyntaxException.class);
    }

    @Test
    void dottedNamesAdjacentSlotsAndSlotOnlyTemplates() throws Exception {
        assertThat(plain("{{user.name}}{{user.id}}").render(Map.of("user.name", "a", "user.id", 7)))
                .isEqualTo("a7");
        assertThat(plain("").render(Map.of())).isEmpty();
        assertThat(plain("{{x}}").render(Map.of("x", "only"))).isEqualTo("only");
    }

    @Test
    void literalsKeepUnicodeAndLineEndsExactly() throws Exception {
        String text = "Grüße 😀\r\n{{x}}\r\n\tend";
        PromptTemplate t = plain(text);
        assertThat(t.text()).isEqualTo(text);
        assertThat(t.render(Map.of("x", "文"))).isEqualTo("Grüße 😀\r\n文\r\n\tend");
    }

    @Test
    void missingOrNullVariablesAreErrorsNamingThem() throws Exception {
        PromptTemplate t = plain("{{a}} {{b}}");
        assertThatThrownBy(() -> t.render(Map.of("a", 1)))
                .isInstanceOfSatisfying(
                        MissingVariableException.class,
                        e -> assertThat(e.variable()).isEqualTo("b"));
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("a", 1);
        withNull.put("b", null);
        assertThatThrownBy(() -> t.render(withNull)).hasMessageContaining("'b'").hasMessageContaining("null");
    }

    @Test
    void extraValuesAreIgnored() throws Exception {
        assertThat(plain("{{a}}").render(Map.of("a", 1, "zzz", 2))).isEqualTo("1");
    }

    @Test
    void difyRulesTreatOtherBracesAsLiteral() throws Exception {
        String text = "Q: {{#sys.query#}} ctx {{#context#}} in {{#1711528708197.input_text#}} user {{name}} "
                + "json {{\"a\": 1}} spaced {{ name }} long {{abcdefghijklmnopqrstuvwxyz123456}}";
        PromptTemplate t = template(text, PromptSyntax.DIFY, null);
        assertThat(t.variables()).containsExactly("#sys.query#", "#context#", "#1711528708197.input_text#", "name");
        Map<String, Object> ownSpelling = new LinkedHashMap<>();
        t.variables().forEach(v -> ownSpelling.put(v, "{{" + v + "}}"));
        assertThat(t.render(ownSpelling)).isEqualTo(text);
    }

    @Test
    void jinjaTemplatesListRootVariablesAndRefuseToRender() throws Exception {
        String text = "{{ text }} {% for item in items %}{{ item.name | upper }}{% endfor %}"
                + "{% if flag is defined %}{{ 'literal' }}{% endif %}{% set tmp = x %}{{ tmp }}";
        PromptTemplate t = template(text, PromptSyntax.JINJA2, null);
        assertThat(t.variables()).containsExactly("text", "items", "flag", "x");
        assertThat(t.text()).isEqualTo(text);
        assertThatThrownBy(() -> t.render(Map.of()))
                .isInstanceOf(SnapshotException.class)
                .hasMessageContaining("Jinja2");
    }

    @Test
    void undeclaredVariablesFailAndUnusedOnesAreReported() throws Exception {
        assertThatThrownBy(() -> PromptCompiler.compile(
                        new PromptSource("p", "{{a}}\n{{b}}", PromptSyntax.PLAIN, List.of("a"), null)))
                .isInstanceOfSatisfying(PromptSyntaxException.class, e -> {
                    assertThat(e.getMessage()).contains("'b'", "not declared");
                    assertThat(e.line()).isEqualTo(2);
                });
        CompiledPrompt c = PromptCompiler.compile(
                new PromptSource("p", "{{a}}", PromptSyntax.PLAIN, List.of("a", "unused"), null));
        assertThat(c.unusedDeclaredVariables()).containsExactly("unused");
        assertThat(c.variables()).containsExactly("a", "unused");
    }

    @Test
    void metadataRoundTripsSorted() throws Exception {
        PromptTemplate t = plain("x");
        assertThat(t.metadata()).containsExactly(Map.entry("description", "d"), Map.entry("version", "1"));
        assertThat(t.version()).contains("1");
        assertThat(t.description()).contains("d");
    }

    @Test
    void compilationIsDeterministic() throws Exception {
        PromptSource s = new PromptSource("p", "{{a}} and {{b}}", PromptSyntax.PLAIN, null, Map.of("k", "v", "a", "b"));
        assertThat(PromptCompiler.compile(s).toBytes())
                .isEqualTo(PromptCompiler.compile(s).toBytes());
    }

    @Test
    void damagedEntriesAreCorruptAtEveryTruncation() throws Exception {
        byte[] good = PromptCompiler.compile(
                        new PromptSource("p", "Hi {{name}}!", PromptSyntax.PLAIN, null, Map.of("version", "1")))
                .toBytes();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> PromptTemplate.decode("p", ByteBuffer.wrap(truncated), "t.tar"))
                    .isInstanceOf(CorruptSnapshotException.class);
        }
        byte[] badSlot = good.clone();
        // second segment is the slot: kind at 36+12, variable index at 36+12+4
        ByteBuffer.wrap(badSlot).putInt(36 + 12 + 4, 99);
        assertThatThrownBy(() -> PromptTemplate.decode("p", ByteBuffer.wrap(badSlot), "t.tar"))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("variable 99");
        byte[] badMagic = good.clone();
        badMagic[3] = 0;
        assertThatThrownBy(() -> PromptTemplate.decode("p", ByteBuffer.wrap(badMagic), "t.tar"))
                .hasMessageContaining("magic");
    }

    @Test
    void literalsReferenceTheSourceTextInsteadOfBeingStoredTwice() throws Exception {
        String pad = "x".repeat(4000);
        // {syntax, template, rendered with name=Ada}: non-ASCII text, an escape, a literal brace pair
        List<Object[]> cases = List.of(
                new Object[] {
                    PromptSyntax.PLAIN,
                    "Grüße {{name}}, " + pad + " \\{{x}} 東京 " + pad + " {{name}}",
                    "Grüße Ada, " + pad + " {{x}} 東京 " + pad + " Ada"
                },
                new Object[] {
                    PromptSyntax.DIFY,
                    "Grüße {{name}}, " + pad + " {{ not a slot }} 東京 " + pad + " {{name}}",
                    "Grüße Ada, " + pad + " {{ not a slot }} 東京 " + pad + " Ada"
                });
        for (Object[] c : cases) {
            PromptSyntax syntax = (PromptSyntax) c[0];
            String text = (String) c[1];
            CompiledPrompt compiled = PromptCompiler.compile(new PromptSource("p", text, syntax, null, Map.of()));
            int textBytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertThat(compiled.toBytes().length).as(syntax.name()).isLessThan(textBytes + 200);
            PromptTemplate t = PromptTemplate.decode("p", ByteBuffer.wrap(compiled.toBytes()), "t.tar");
            assertThat(t.render(Map.of("name", "Ada"))).as(syntax.name()).isEqualTo(c[2]);
            assertThat(t.text()).isEqualTo(text);
        }
    }
}
