package dev.warmstart.snapshot.plugin.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each class of bad input fails with file, line and what to do; good input compiles. */
class InputValidationTest {
    @TempDir
    Path project;

    private Path write(String relative, String content) throws IOException {
        Path file = project.resolve("src/main/snapshot").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private SnapshotInputs compile() throws Exception {
        return new InputCompiler().compile(InputSettings.builder(project).build());
    }

    private List<Problem> errors() {
        try {
            compile();
        } catch (InputProblemsException e) {
            return e.problems();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the inputs to be refused");
    }

    @Test
    void configFilesBecomeTreesUnderTheirPathPrefix() throws Exception {
        write("config/model.yml", "name: gpt-4o\nparams:\n  temperature: 0.2\n");
        write("config/llm/openai.json", "{\"timeout\": 30}");
        SnapshotInputs inputs = compile();
        assertThat(inputs.configs())
                .extracting(SnapshotInputs.ConfigInput::prefix)
                .containsExactly("llm.openai", "model");
        assertThat(inputs.inputFiles()).hasSize(2);
    }

    @Test
    void fileNamesWithDotsAreEscapedInThePrefix() throws Exception {
        write("config/app.prod.yml", "a: 1\n");
        assertThat(compile().configs().get(0).prefix()).isEqualTo("app\\.prod");
    }

    @Test
    void malformedYamlNamesFileLineAndColumn() throws Exception {
        write("config/bad.yml", "a: 1\nb: [unclosed\nc: 3\n");
        Problem p = errors().get(0);
        assertThat(p.file().toString()).endsWith("bad.yml");
        assertThat(p.line()).isGreaterThanOrEqualTo(2);
        assertThat(p.column()).isPositive();
        assertThat(p.message()).contains("malformed YAML");
    }

    @Test
    void malformedJsonNamesLineAndColumn() throws Exception {
        write("config/bad.json", "{\n  \"a\": 1,\n  \"b\": \n}");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.message()).contains("malformed JSON");
    }

    @Test
    void duplicateKeysAreRefusedInYamlAndJson() throws Exception {
        write("config/dup.yml", "model:\n  name: a\n  name: b\n");
        write("config/dup2.json", "{\"x\": 1, \"x\": 2}");
        List<Problem> errors = errors();
        assertThat(errors).hasSize(2);
        assertThat(errors).anySatisfy(p -> {
            assertThat(p.message()).contains("duplicate key 'name'", "under 'model'");
            assertThat(p.line()).isEqualTo(3);
        });
        assertThat(errors)
                .anySatisfy(
                        p -> assertThat(p.message()).contains("duplicate key").contains("x"));
    }

    @Test
    void nonUtf8TextIsRefusedWithThePosition() throws Exception {
        Path file = project.resolve("src/main/snapshot/config/latin1.yml");
        Files.createDirectories(file.getParent());
        Files.write(file, "name: ok\ncity: M\u00fcnchen\n".getBytes(StandardCharsets.ISO_8859_1));
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(8);
        assertThat(p.message()).contains("not valid UTF-8", "save the file as UTF-8");
    }

    @Test
    void aByteOrderMarkIsTolerated() throws Exception {
        Path file = project.resolve("src/main/snapshot/config/bom.yml");
        Files.createDirectories(file.getParent());
        Files.write(file, ("\uFEFFa: 1\n").getBytes(StandardCharsets.UTF_8));
        assertThat(compile().configs()).hasSize(1);
    }

    @Test
    void aTextPromptFileGivesTheEntryOfItsTextEncodedWithOrWithoutAByteOrderMark() throws Exception {
        String text = "Grüße {{wer}} – “quoted” 𝄞 clef \uFFFD {{was}} ende\n";
        Path bom = project.resolve("src/main/snapshot/prompts/bom.prompt");
        Files.createDirectories(bom.getParent());
        Files.write(bom, ("\uFEFF" + text).getBytes(StandardCharsets.UTF_8));
        write("prompts/plain.txt", text);
        write("prompts/ascii.md", "Only ASCII {{here}}\n");
        try (SnapshotInputs inputs = compile()) {
            assertThat(inputs.prompts()).hasSize(3);
            for (SnapshotInputs.PromptInput prompt : inputs.prompts()) {
                String source = prompt.name().equals("ascii") ? "Only ASCII {{here}}\n" : text;
                byte[] encoded = PromptCompiler.compile(
                                new PromptSource(prompt.name(), source, PromptSyntax.PLAIN, null, Map.of()))
                        .toBytes();
                assertThat(inputs.bytes(prompt)).as(prompt.name()).isEqualTo(encoded);
                assertThat(prompt.entry().sha256())
                        .isEqualTo(ContentHash.sha256().digest(encoded));
            }
        }
    }

    @Test
    void aliasBombsAreRefused() throws Exception {
        StringBuilder yaml =
                new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'j'; c++) {
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                yaml.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            yaml.append("]\n");
            prev = c;
        }
        write("config/bomb.yml", yaml.toString());
        assertThat(errors().get(0).message()).containsAnyOf("aliases", "alias");
    }

    @Test
    void oversizedInputIsRefused() throws Exception {
        write("config/big.yml", "a: \"" + "x".repeat(2000) + "\"\n");
        List<Problem> errors;
        try {
            new InputCompiler()
                    .compile(InputSettings.builder(project).maxCodePoints(1000).build());
            throw new AssertionError("expected a refusal");
        } catch (InputProblemsException e) {
            errors = e.problems();
        }
        assertThat(errors.get(0).message()).contains("larger than", "maxInputCodePoints");
    }

    @Test
    void severalDocumentsInOneFileAreRefused() throws Exception {
        write("config/multi.yml", "a: 1\n---\nb: 2\n");
        assertThat(errors().get(0).message()).contains("more than one YAML document");
    }

    @Test
    void aConfigFileMustHoldAMapping() throws Exception {
        write("config/list.yml", "- a\n- b\n");
        assertThat(errors().get(0).message()).contains("mapping");
    }

    @Test
    void twoInputsMappingToOneNameAreRefusedNamingBoth() throws Exception {
        write("config/a.yml", "x: 1\n");
        write("config/a.json", "{\"x\": 2}");
        Problem p = errors().get(0);
        assertThat(p.message()).contains("same snapshot name", "a.json").contains("a.yml");
    }

    @Test
    void configKeysCollidingAcrossFilesAreRefused() throws Exception {
        write("config/a.yml", "b: 1\n");
        write("config/a/b.yml", "c: 2\n");
        assertThat(errors().get(0).message()).contains("a.b");
    }

    @Test
    void textPromptsInferTheirVariables() throws Exception {
        write("prompts/support/answer.prompt", "Q: {{question}}\nA:");
        SnapshotInputs inputs = compile();
        assertThat(inputs.prompts()).hasSize(1);
        assertThat(ReadBack.template(inputs, inputs.prompts().get(0)).name()).isEqualTo("support/answer");
    }

    @Test
    void yamlPromptsCarryVariablesAndFlatMetadata() throws Exception {
        write(
                "prompts/triage.yml",
                "prompt: 'Classify {{request}}'\nvariables: [request]\n"
                        + "metadata:\n  version: 3\n  model:\n    name: gpt-4o\n");
        SnapshotInputs inputs = compile();
        assertThat(ReadBack.template(inputs, inputs.prompts().get(0)).metadata())
                .containsEntry("version", "3")
                .containsEntry("model.name", "gpt-4o");
    }

    @Test
    void undeclaredVariableFailsWithTheFileLine() throws Exception {
        write("prompts/p.yml", "variables: [a]\nprompt: |\n  first {{a}}\n  second {{b}}\n");
        Problem p = errors().get(0);
        assertThat(p.message()).contains("'b'", "not declared");
        assertThat(p.line()).isEqualTo(4);
    }

    @Test
    void errorsInABlockScalarPromptGiveTheFileLineAndColumn() throws Exception {
        write("prompts/p.yml", "variables: [a]\nprompt: |\n  first {{a}}\n  second {{ b\n");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.column()).isEqualTo(10);
        assertThat(p.message()).contains("unbalanced '{{' at line 4, column 10").doesNotContain("line 2");
    }

    @Test
    void undeclaredVariablesInABlockScalarGiveTheFileColumnToo() throws Exception {
        write("prompts/p.yml", "variables: [a]\nprompt: |\n    first {{a}}\n    second {{b}}\n");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.column()).isEqualTo(12);
        assertThat(p.message()).contains("'b' is used at line 4, column 12");
    }

    @Test
    void errorsInAQuotedPromptOnTheKeysLineGiveTheFileColumn() throws Exception {
        write("prompts/p.yml", "variables: [a]\nprompt: \"hi {{ a\"\n");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(13);
        assertThat(p.message()).contains("at line 2, column 13");
    }

    @Test
    void errorsInAJsonPromptGiveTheFileColumn() throws Exception {
        write("prompts/p.json", "{\n  \"prompt\": \"hi {{ a\"\n}");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(17);
    }

    @Test
    void positionsThatEscapesShiftPointAtTheValueAndSayTheyAreInThePromptText() throws Exception {
        write("prompts/p.yml", "prompt: \"a\\tb {{ x\"\n");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(1);
        assertThat(p.column()).isEqualTo(9);
        assertThat(p.message()).contains("at line 1, column 5 of the prompt text");
    }

    @Test
    void anEmptyConfigKeyIsNamedWithItsLineAndNoWordOfACollision() throws Exception {
        write("config/model.yml", "params:\n  temperature: 0.2\n  \"\": 1\n");
        Problem p = errors().get(0);
        assertThat(p.message()).contains("is empty").doesNotContain("two inputs", "another input");
        assertThat(p.line()).isEqualTo(3);
    }

    @Test
    void configKeysDefinedByTwoFilesAreACollision() throws Exception {
        write("config/a.yml", "b: 1\n");
        write("config/a/b.yml", "c: 2\n");
        assertThat(errors())
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("another input defines the same config key"));
    }

    @Test
    void unusedDeclaredVariableIsAWarning() throws Exception {
        write("prompts/p.yml", "prompt: 'hi {{a}}'\nvariables: [a, spare]\n");
        SnapshotInputs inputs = compile();
        assertThat(inputs.warnings())
                .singleElement()
                .satisfies(w -> assertThat(w.message()).contains("'spare'"));
    }

    @Test
    void unbalancedBracesFailWithLineAndColumn() throws Exception {
        write("prompts/p.prompt", "line one\nline {{ two\n");
        Problem p = errors().get(0);
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(6);
        assertThat(p.message()).contains("unbalanced");
    }

    @Test
    void unknownPromptKeysAreRefusedListingTheAllowedOnes() throws Exception {
        write("prompts/p.yml", "prompt: hi\nmodel: x\n");
        assertThat(errors().get(0).message()).contains("unknown key 'model'", "metadata", "variables");
    }

    @Test
    void allProblemsOfARunAreReportedTogether() throws Exception {
        write("config/bad.yml", "a: [\n");
        write("config/dup.json", "{\"x\": 1, \"x\": 2}");
        write("prompts/p.prompt", "{{ unclosed");
        assertThat(errors()).hasSize(3);
    }

    @Test
    void secretsAreRefusedWithoutPrintingThem() throws Exception {
        write("config/model.yml", "api_key: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\n");
        Problem p = errors().get(0);
        assertThat(p.message())
                .contains("'model.api_key'", "${env:MODEL_API_KEY}", "secretAllowlist")
                .doesNotContain("abcdefghijklmnopqrstuvwxyz");
        assertThat(p.line()).isEqualTo(1);
    }

    @Test
    void placeholdersAndHarmlessTokenKeysPass() throws Exception {
        write(
                "config/model.yml",
                "api_key: ${env:OPENAI_API_KEY}\nmax_tokens: 512\ntoken_limit: 100\n"
                        + "tokenizer: cl100k\nprompt_tokens: 3\npassword: ''\nsecret_name: db-credentials\n");
        assertThat(compile().configs()).hasSize(1);
    }

    @Test
    void credentialShapedValuesAreFoundUnderAnyKey() throws Exception {
        Map<String, String> samples = Map.of(
                "aws", "AKIAIOSFODNN7EXAMPLE",
                "github", "ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
                "slack", "xoxb-1234567890-abcdefghij",
                "google", "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
                "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "pem", "-----BEGIN RSA PRIVATE KEY-----",
                "header", "Bearer abcdefghijklmnopqrstuvwxyz0123",
                "anthropic", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
                "aws-session", "ASIAIOSFODNN7EXAMPLE",
                "github-fine-grained", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv");
        for (Map.Entry<String, String> e : samples.entrySet()) {
            Files.createDirectories(project.resolve("src/main/snapshot/config"));
            Path file = write("config/c.yml", "note: \"" + e.getValue() + "\"\n");
            List<Problem> errors = errors();
            assertThat(errors)
                    .as(e.getKey())
                    .singleElement()
                    .satisfies(p -> assertThat(p.message()).contains("'c.note'", "looks like"));
            Files.delete(file);
        }
    }

    @Test
    void everySlackTokenKindAndAPemKeyAreFoundInPromptText() throws Exception {
        for (String secret : List.of(
                "xoxa-1234567890-abcdefghij",
                "xoxb-1234567890-abcdefghij",
                "xoxp-1234567890-abcdefghij",
                "xoxr-1234567890-abcdefghij",
                "xoxs-1234567890-abcdefghij",
                "-----BEGIN PRIVATE KEY-----",
                "-----BEGIN EC PRIVATE KEY-----")) {
            Path file = write("prompts/p.txt", "The fox exports xox and PRIVATE notes; then " + secret + " ends.\n");
            assertThat(errors())
                    .as(secret)
                    .singleElement()
                    .satisfies(p -> assertThat(p.message()).contains("prompt 'p'", "looks like"));
            Files.delete(file);
        }
        write("prompts/p.txt", "The fox exports xox-less text, xoxo- hugs and a PRIVATE KEY- note.\n");
        assertThat(compile().prompts()).hasSize(1);
    }

    @Test
    void theAllowlistSilencesFalsePositives() throws Exception {
        write("config/model.yml", "session_token: not-a-secret-but-a-name\n");
        assertThatThrownBy(this::compile).isInstanceOf(InputProblemsException.class);
        SnapshotInputs inputs = new InputCompiler()
                .compile(InputSettings.builder(project)
                        .secretAllowlist(List.of("model.session_token"))
                        .build());
        assertThat(inputs.configs()).hasSize(1);
        SnapshotInputs globbed = new InputCompiler()
                .compile(InputSettings.builder(project)
                        .secretAllowlist(List.of("*.session_token"))
                        .build());
        assertThat(globbed.configs()).hasSize(1);
    }

    @Test
    void secretsInPromptTextAreRefused() throws Exception {
        write("prompts/p.prompt", "Use key sk-abcdefghijklmnopqrstuvwxyz012345 to call");
        assertThat(errors().get(0).message()).contains("prompt 'p'", "API key");
    }

    @Test
    void includesAndExcludesSelectFiles() throws Exception {
        write("config/keep.yml", "a: 1\n");
        write("config/skip.yml", "b: 2\n");
        SnapshotInputs inputs = new InputCompiler()
                .compile(InputSettings.builder(project)
                        .configPatterns(null, List.of("skip.yml"))
                        .build());
        assertThat(inputs.configs())
                .extracting(SnapshotInputs.ConfigInput::prefix)
                .containsExactly("keep");
    }

    @Test
    void yamlMergeKeysAndTypedScalarsAreRead() throws Exception {
        write(
                "config/m.yml",
                "base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\nhex: 0x1F\nbig: 123456789012345678901234\n"
                        + "yes_value: yes\nquoted: 'yes'\nnothing: ~\nratio: 1.5\n");
        Object tree = compile().configs().get(0).tree();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) tree;
        assertThat(m.get("derived")).isEqualTo(Map.of("a", 1L, "b", 3L));
        assertThat(m.get("hex")).isEqualTo(31L);
        assertThat(m.get("big")).isEqualTo(new BigInteger("123456789012345678901234"));
        assertThat(m.get("yes_value")).isEqualTo(true);
        assertThat(m.get("quoted")).isEqualTo("yes");
        assertThat(m.containsKey("nothing")).isTrue();
        assertThat(m.get("nothing")).isNull();
    }
}
