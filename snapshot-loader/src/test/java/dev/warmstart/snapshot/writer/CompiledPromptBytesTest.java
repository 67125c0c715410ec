package dev.warmstart.snapshot.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.loader.PromptSyntax;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A compiled prompt's entry bytes are part of the snapshot's reproducible output: the same source gives the same
 * bytes in every version. The hashes below were taken from the writer before its layout code was rewritten to
 * copy the text once; any change to them changes every snapshot built from the same inputs.
 */
class CompiledPromptBytesTest {
    private static String bytesOf(PromptSource source) throws PromptSyntaxException {
        byte[] bytes = PromptCompiler.compile(source).toBytes();
        return bytes.length + " " + ContentHash.hex(ContentHash.sha256().digest(bytes));
    }

    @Test
    void aPlainPromptWithEscapesAndRepeatedVariablesKeepsItsBytes() throws Exception {
        assertThat(bytesOf(new PromptSource(
                        "plain",
                        "Hello {{name}}, \\{{literal}} and {{ other }} again {{name}}.\n",
                        PromptSyntax.PLAIN,
                        null,
                        Map.of())))
                .isEqualTo("218 ec4f597e3e7c750273c184640b15b411c106a035c0fb6b17ad016348b54d27ca");
    }

    @Test
    void aNonAsciiPromptWithDeclaredVariablesAndMetadataKeepsItsBytes() throws Exception {
        assertThat(bytesOf(new PromptSource(
                        "utf8",
                        "Grüße {{wer}} – “quoted” 𝄞 clef {{was}} ende",
                        PromptSyntax.PLAIN,
                        List.of("wer", "was", "unused"),
                        Map.of("owner", "team-ä", "a.b", "1"))))
                .isEqualTo("235 d2098cc294e102cd749131fb5024ce1317c6a3aae450482b501086cb32de7b97");
    }

    @Test
    void difyAndJinjaPromptsKeepTheirBytes() throws Exception {
        assertThat(bytesOf(new PromptSource(
                        "dify",
                        "Q: {{query}} ctx {{#context#}} node {{#1711.text#}} {{ not_a_var }} {{x}}",
                        PromptSyntax.DIFY,
                        null,
                        Map.of("k", "v"))))
                .isEqualTo("281 d8238903e985bbde677d27b9dad1c4cc943b5d6557d2a29e5d7d7283852ee0dc");
        assertThat(bytesOf(new PromptSource(
                        "jinja",
                        "{% for d in docs %}{{ d.title | upper }}{% endfor %} {{ user }}",
                        PromptSyntax.JINJA2,
                        null,
                        Map.of())))
                .isEqualTo("123 67c3a7499a5043c990f691c6ef568ce0d1da7ba4591f80397480303cc639db86");
    }

    @Test
    void emptyAndSlotOnlyPromptsKeepTheirBytes() throws Exception {
        assertThat(bytesOf(new PromptSource("empty", "", PromptSyntax.PLAIN, null, Map.of())))
                .isEqualTo("36 d49fa9f4ee748e71c3824465713048cbe5c7c6b763f807515cc3816dc04c2c62");
        assertThat(bytesOf(new PromptSource("onlyvar", "{{a}}{{b}}", PromptSyntax.PLAIN, null, Map.of())))
                .isEqualTo("88 1948ccc97fd9e408891dccefdf335f9351cd62cd9e22a3da9d49016a5151c092");
    }

    @Test
    void theTextsOwnUtf8BytesGiveTheSameEntryAsEncodingTheText() throws Exception {
        for (String text : List.of(
                "Hello {{name}}, \\{{literal}} and {{ other }} again {{name}}.\n",
                "Grüße {{wer}} – “quoted” 𝄞 clef {{was}} ende",
                "",
                "\uFFFD a real replacement character {{x}}")) {
            CompiledPrompt prompt =
                    PromptCompiler.compile(new PromptSource("p", text, PromptSyntax.PLAIN, null, Map.of("k", "v")));
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            byte[] withBom = new byte[utf8.length + 3];
            withBom[0] = (byte) 0xef;
            withBom[1] = (byte) 0xbb;
            withBom[2] = (byte) 0xbf;
            System.arraycopy(utf8, 0, withBom, 3, utf8.length);
            assertThat(prompt.toBytes(utf8, 0)).as(text).isEqualTo(prompt.toBytes());
            assertThat(prompt.toBytes(withBom, 3)).as(text).isEqualTo(prompt.toBytes());
        }
    }

    @Test
    void bytesThatCannotBeTheTextsEncodingAreRefused() throws Exception {
        CompiledPrompt prompt =
                PromptCompiler.compile(new PromptSource("p", "Hello {{name}}", PromptSyntax.PLAIN, null, Map.of()));
        assertThatThrownBy(() -> prompt.toBytes("Hello".getBytes(StandardCharsets.UTF_8), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt 'p'");
        assertThatThrownBy(() -> prompt.toBytes(new byte[100], 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
