package dev.warmstart.snapshot.plugin.dify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problem;
import dev.warmstart.snapshot.plugin.input.Problems;
import dev.warmstart.snapshot.plugin.input.StructuredFileReader;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DifyAppCompilerTest {
    @TempDir
    Path dir;

    Problems problems;

    private static final String CHAT = String.join(
            "\n",
            "app:",
            "  mode: chat",
            "  name: Helper",
            "  icon: x",
            "kind: app",
            "version: 0.1.5",
            "model_config:",
            "  pre_prompt: 'You help {{name}} with {{topic}}.'",
            "  opening_statement: Hello!",
            "  model: {provider: openai, name: gpt-4o, mode: chat, completion_params: {temperature: 0.3}}",
            "");

    private static final String WORKFLOW = String.join(
            "\n",
            "app:",
            "  mode: workflow",
            "  name: Flow",
            "kind: app",
            "version: 0.5.0",
            "workflow:",
            "  graph:",
            "    edges: [{source: '1', target: llm1, sourceHandle: source, data: {x: 1}}]",
            "    nodes:",
            "    - id: '1'",
            "      position: {x: 1, y: 2}",
            "      data: {type: start, title: Start, selected: true}",
            "    - id: llm1",
            "      data:",
            "        type: llm",
            "        title: Write",
            "        model: {provider: openai, name: gpt-4o, mode: chat}",
            "        prompt_template:",
            "        - role: system",
            "          text: 'Write about {{#1.topic#}} for {{#sys.user_id#}}'",
            "        - role: user",
            "          edition_type: jinja2",
            "          text: ''",
            "          jinja2_text: '{% for t in tags %}{{ t }}{% endfor %} {{ topic }}'",
            "    - id: t1",
            "      data: {type: template-transform, template: '{{ arg1 }}'}",
            "");

    private DifyApp compile(String name, String yaml) throws Exception {
        return compile(name, yaml, DifyVersionPolicy.STRICT);
    }

    private DifyApp compile(String name, String yaml, DifyVersionPolicy policy) throws Exception {
        Path file = dir.resolve(name + ".yml");
        Files.writeString(file, yaml);
        problems = new Problems(dir);
        ParsedDocument doc = new StructuredFileReader().read(file, problems);
        return new DifyAppCompiler(new StructuredFileReader(), policy).compile(name, doc, problems);
    }

    // The DSL version rule, branch by branch (Dify's check_version_compatibility and its confirm step).

    @Test
    void newerVersionFailsUnderStrictNamingBothVersionsAndTheParameter() throws Exception {
        assertThat(compile("n", CHAT.replace("version: 0.1.5", "version: 0.8.0")))
                .isNull();
        assertThat(messages(problems.errors()))
                .singleElement()
                .asString()
                .contains("0.8.0", "0.7.0", "newer", "difyVersionPolicy", "-Dsnapshot.difyVersionPolicy=warn");
    }

    @Test
    void newerVersionIsReadAsTheNewestKnownUnderWarn() throws Exception {
        DifyApp app = compile("n", CHAT.replace("version: 0.1.5", "version: 0.8.0"), DifyVersionPolicy.WARN);
        assertThat(app).isNotNull();
        assertThat(problems.errors()).isEmpty();
        assertThat(messages(problems.warnings())).singleElement().asString().contains("0.8.0", "read as 0.7.0");
        assertThat(((Map<?, ?>) app.configTree()).get("read_as_dsl_version")).isEqualTo("0.7.0");
        assertThat(app.dslVersion()).isEqualTo("0.8.0");
    }

    @Test
    void newerVersionUnderWarnNamesEachUnknownFieldThatLooksLikeAPrompt() throws Exception {
        String yaml = WORKFLOW.replace("version: 0.5.0", "version: 0.9.1")
                        .replace(
                                "    - id: t1\n",
                                "    - id: s1\n      data: {type: summoner, incantation: 'Speak of {{#1.topic#}}',"
                                        + " count: 3}\n    - id: t1\n")
                + "guardrails:\n  refusal_prompt: Say no politely.\n  max: 2\n";
        DifyApp app = compile("u", yaml, DifyVersionPolicy.WARN);
        assertThat(app).isNotNull();
        assertThat(messages(problems.warnings()))
                .hasSize(3)
                .anySatisfy(
                        m -> assertThat(m).contains("workflow.graph.nodes[2].data.incantation", "looks like a prompt"))
                .anySatisfy(m -> assertThat(m).contains("guardrails.refusal_prompt"));
        assertThat(problems.warnings().get(1).line()).isGreaterThan(0);
    }

    @Test
    void anotherMajorVersionFailsUnderStrictNamingTheParameter() throws Exception {
        assertThat(compile("n", CHAT.replace("version: 0.1.5", "version: 1.0.0")))
                .isNull();
        assertThat(messages(problems.errors()))
                .singleElement()
                .asString()
                .contains("1.0.0", "major version 1", "0.7.0", "difyVersionPolicy");
    }

    @Test
    void anotherMajorVersionIsAcceptedWithAWarningUnderWarn() throws Exception {
        assertThat(compile("n", CHAT.replace("version: 0.1.5", "version: 1.0.0"), DifyVersionPolicy.WARN))
                .isNotNull();
        assertThat(messages(problems.warnings())).singleElement().asString().contains("1.0.0", "read as 0.7.0");
    }

    @Test
    void olderMinorVersionIsAcceptedWithAWarning() throws Exception {
        assertThat(compile("o", CHAT)).isNotNull();
        assertThat(messages(problems.warnings())).singleElement().asString().contains("0.1.5", "older than 0.7.0");
    }

    @Test
    void currentVersionAndOlderPatchesAreAcceptedSilently() throws Exception {
        for (String version : List.of("0.7.0", "0.7")) {
            assertThat(compile("c", CHAT.replace("version: 0.1.5", "version: '" + version + "'")))
                    .isNotNull();
            assertThat(problems.warnings()).as(version).isEmpty();
        }
    }

    @Test
    void unparseableVersionFailsEvenUnderWarn() throws Exception {
        for (String version : List.of("latest", "0.7.x", "0..7", "1.2.3.4", "v0.7.0")) {
            assertThat(compile(
                            "x", CHAT.replace("version: 0.1.5", "version: '" + version + "'"), DifyVersionPolicy.WARN))
                    .as(version)
                    .isNull();
            assertThat(messages(problems.errors()))
                    .as(version)
                    .singleElement()
                    .asString()
                    .contains("is not a version number");
        }
    }

    @Test
    void versionPolicyParsesItsTwoValuesAndRefusesOthers() {
        assertThat(DifyVersionPolicy.parse(null)).isEqualTo(DifyVersionPolicy.STRICT);
        assertThat(DifyVersionPolicy.parse(" Warn ")).isEqualTo(DifyVersionPolicy.WARN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DifyVersionPolicy.parse("lenient"))
                .hasMessageContaining("strict, warn");
    }

    private List<String> messages(List<Problem> list) {
        return list.stream().map(Problem::message).collect(Collectors.toList());
    }

    @Test
    void chatAppPromptsAndSettings() throws Exception {
        DifyApp app = compile("helper", CHAT);
        assertThat(app.mode()).isEqualTo("chat");
        assertThat(app.prompts())
                .extracting(p -> p.source().name())
                .containsExactly("apps/helper/pre_prompt", "apps/helper/opening_statement");
        assertThat(app.prompts().get(0).source().syntax()).isEqualTo(PromptSyntax.DIFY);
        Map<?, ?> config = (Map<?, ?>) app.configTree();
        assertThat(((Map<?, ?>) config.get("app")).containsKey("icon")).isFalse();
        assertThat(config.get("model_config")).isNotNull();
    }

    @Test
    void workflowNodesBecomeNamedPromptsAndConfigByNodeId() throws Exception {
        DifyApp app = compile("flow", WORKFLOW);
        assertThat(problems.errors()).isEmpty();
        assertThat(app.prompts())
                .extracting(p -> p.source().name())
                .containsExactly("apps/flow/nodes/llm1/0", "apps/flow/nodes/llm1/1", "apps/flow/nodes/t1/template");
        DifyApp.AppPrompt system = app.prompts().get(0);
        assertThat(system.source().metadata())
                .containsEntry("role", "system")
                .containsEntry("node.id", "llm1")
                .containsEntry("model.name", "gpt-4o")
                .containsEntry("source", "dify");
        assertThat(system.line()).isEqualTo(20);
        DifyApp.AppPrompt jinja = app.prompts().get(1);
        assertThat(jinja.source().syntax()).isEqualTo(PromptSyntax.JINJA2);
        assertThat(jinja.source().text()).startsWith("{% for t in tags %}");
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("apps.flow", app.configTree());
        assertThat(table.entries())
                .containsKey("apps.flow.workflow.nodes.llm1.title")
                .doesNotContainKey("apps.flow.workflow.nodes.1.selected")
                .containsKey("apps.flow.workflow.edges[0].source");
    }

    @Test
    void everyModeIsAccepted() throws Exception {
        for (String mode : List.of("chat", "completion", "agent-chat", "advanced-chat", "workflow")) {
            String yaml = CHAT.replace("mode: chat\n  name", "mode: " + mode + "\n  name");
            assertThat(compile("m", yaml)).as(mode).isNotNull();
        }
        assertThat(compile("m", CHAT.replace("mode: chat\n  name", "mode: robot\n  name")))
                .isNull();
    }

    @Test
    void missingVersionCountsAsTheFirstVersion() throws Exception {
        DifyApp app = compile("v", CHAT.replace("version: 0.1.5\n", "").replace("kind: app\n", ""));
        assertThat(app.dslVersion()).isEqualTo("0.1.0");
    }

    @Test
    void exportApiResponseIsUnwrapped() throws Exception {
        String json = "{\"data\": " + dev.warmstart.snapshot.format.Json.compact(CHAT) + "}";
        Path file = dir.resolve("api.json");
        Files.writeString(file, json);
        problems = new Problems(dir);
        DifyApp app = new DifyAppCompiler().compile("api", new StructuredFileReader().read(file, problems), problems);
        assertThat(app).isNotNull();
        assertThat(app.prompts()).hasSize(2);
    }

    @Test
    void referenceToAMissingNodeFailsNamingNodeAndPrompt() throws Exception {
        DifyApp app = compile("bad", WORKFLOW.replace("{{#1.topic#}}", "{{#ghost.topic#}}"));
        assertThat(app).isNotNull();
        assertThat(messages(problems.errors()))
                .singleElement()
                .asString()
                .contains("apps/bad/nodes/llm1/0", "llm1", "'ghost'");
    }

    @Test
    void difyOwnNamespacesNeedNoNode() throws Exception {
        compile("ok", WORKFLOW.replace("{{#1.topic#}}", "{{#conversation.topic#}} {{#env.KEY#}}"));
        assertThat(problems.errors()).isEmpty();
    }

    @Test
    void keyOrderDoesNotChangeTheResult() throws Exception {
        DifyApp a = compile("same", CHAT);
        String reordered = String.join(
                "\n",
                "version: 0.1.5",
                "model_config:",
                "  model: {completion_params: {temperature: 0.3}, mode: chat, name: gpt-4o, provider: openai}",
                "  opening_statement: Hello!",
                "  pre_prompt: 'You help {{name}} with {{topic}}.'",
                "kind: app",
                "app:",
                "  icon: x",
                "  name: Helper",
                "  mode: chat",
                "");
        DifyApp b = compile("same", reordered);
        ConfigTableWriter ta = new ConfigTableWriter();
        ta.put("apps.same", a.configTree());
        ConfigTableWriter tb = new ConfigTableWriter();
        tb.put("apps.same", b.configTree());
        assertThat(ta.toTableBytes()).isEqualTo(tb.toTableBytes());
        assertThat(a.prompts().stream().map(p -> p.source().name()).sorted().toList())
                .isEqualTo(b.prompts().stream()
                        .map(p -> p.source().name())
                        .sorted()
                        .toList());
    }

    @Test
    void secretEnvironmentVariableValuesAreDropped() throws Exception {
        String yaml = WORKFLOW.replace(
                "workflow:\n",
                "workflow:\n  environment_variables:\n"
                        + "  - {name: KEY, value: s3cr3t-value, value_type: secret}\n  - {name: REGION, value: eu, value_type: string}\n");
        DifyApp app = compile("env", yaml);
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("apps.env", app.configTree());
        assertThat(table.entries())
                .doesNotContainKey("apps.env.workflow.environment_variables[0].value")
                .containsEntry("apps.env.workflow.environment_variables[1].value", "eu");
    }
}
