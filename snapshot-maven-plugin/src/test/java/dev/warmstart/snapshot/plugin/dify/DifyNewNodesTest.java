package dev.warmstart.snapshot.plugin.dify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problem;
import dev.warmstart.snapshot.plugin.input.Problems;
import dev.warmstart.snapshot.plugin.input.StructuredFileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app mode and node types of DSL 0.6.0/0.7.0: agent apps, Agent v2 nodes, Human Input nodes, RAG pipelines. */
class DifyNewNodesTest {
    @TempDir
    Path dir;

    Problems problems;

    private static final String PACKAGES = String.join(
            "\n",
            "agent_packages:",
            "  agent_1:",
            "    schema_version: 1",
            "    metadata: {name: Helper}",
            "    soul:",
            "      prompt: {system_prompt: 'You help {{name}}.'}",
            "      model: {plugin_id: p, model_provider: openai, model: gpt-4.1, credential_ref: null}",
            "    omitted_assets: [{kind: file, name: a.pdf}]",
            "");

    private static final String AGENT_APP = String.join(
                    "\n",
                    "app: {mode: agent, name: Helper}",
                    "kind: app",
                    "version: 0.7.0",
                    "agent:",
                    "  package_ref: agent_1",
                    "")
            + PACKAGES;

    private static String workflow(String nodes) {
        return String.join(
                        "\n",
                        "app: {mode: workflow, name: Flow}",
                        "kind: app",
                        "version: 0.7.0",
                        "workflow:",
                        "  graph:",
                        "    edges: []",
                        "    nodes:",
                        "    - id: '1'",
                        "      data: {type: start, title: Start}",
                        nodes,
                        "")
                + PACKAGES;
    }

    private static final String AGENT_NODE = String.join(
            "\n",
            "    - id: ag",
            "      data:",
            "        type: agent",
            "        version: '2'",
            "        title: Agent",
            "        agent_binding: {binding_type: inline_agent, package_ref: agent_1}",
            "        agent_job:",
            "          mode: tell_agent_what_to_do",
            "          workflow_prompt: 'Use [§node_output:1.topic:Topic§] and {{#1.topic#}}'",
            "          previous_node_output_refs:",
            "          - {name: Topic, selector: ['1', topic]}",
            "          declared_outputs:",
            "          - {name: report, type: file, check: {enabled: true, prompt: 'Is {{#1.topic#}} covered?'}}");

    private static final String FORM_NODE = String.join(
            "\n",
            "    - id: hi",
            "      data:",
            "        type: human-input",
            "        title: Approve",
            "        form_content: 'Topic {{#1.topic#}}. Comment: {{#$output.comment#}} {{#$outputs.score#}}'",
            "        inputs:",
            "        - {type: paragraph, output_variable_name: comment}",
            "        - {type: text_input, output_variable_name: score}",
            "        user_actions: [{id: ok, title: OK}]",
            "        delivery_methods:",
            "        - {type: email, enabled: true, config: {recipients: {items: []}, subject: 'About {{#1.topic#}}', body: 'Open {{#url#}}'}}");

    private DifyApp compile(String yaml) throws Exception {
        Path file = dir.resolve("app.yml");
        Files.writeString(file, yaml);
        problems = new Problems(dir);
        ParsedDocument doc = new StructuredFileReader().read(file, problems);
        return new DifyAppCompiler().compile("app", doc, problems);
    }

    private List<String> errors() {
        return problems.errors().stream().map(Problem::message).toList();
    }

    private List<String> names(DifyApp app) {
        return app.prompts().stream().map(p -> p.source().name()).toList();
    }

    @Test
    void agentAppCompilesItsPackagesSystemPrompt() throws Exception {
        DifyApp app = compile(AGENT_APP);
        assertThat(errors()).isEmpty();
        assertThat(app.mode()).isEqualTo("agent");
        assertThat(names(app)).containsExactly("apps/app/agent_packages/agent_1/system_prompt");
        assertThat(app.prompts().get(0).source().metadata())
                .containsEntry("agent.package_ref", "agent_1")
                .containsEntry("model.provider", "openai");
        assertThat(app.prompts().get(0).line()).isEqualTo(11);
    }

    @Test
    void agentAppWhosePackageRefResolvesToNoPackageFails() throws Exception {
        assertThat(compile(AGENT_APP.replace("package_ref: agent_1", "package_ref: agent_9")))
                .isNull();
        assertThat(errors()).singleElement().asString().contains("agent_9", "agent_packages", "[agent_1]");
        assertThat(problems.errors().get(0).line()).isEqualTo(5);
    }

    @Test
    void agentAppWithoutAgentSectionFails() throws Exception {
        assertThat(compile(AGENT_APP.replace("agent:\n  package_ref: agent_1\n", "")))
                .isNull();
        assertThat(errors()).singleElement().asString().contains("agent.package_ref");
    }

    @Test
    void agentPackageOfAnotherSchemaVersionFails() throws Exception {
        compile(AGENT_APP.replace("schema_version: 1", "schema_version: 2"));
        assertThat(errors()).anySatisfy(m -> assertThat(m).contains("schema_version 2"));
    }

    @Test
    void agentV2NodeCompilesItsJobPromptAndOutputCheckPrompt() throws Exception {
        DifyApp app = compile(workflow(AGENT_NODE));
        assertThat(errors()).isEmpty();
        assertThat(problems.warnings()).isEmpty();
        assertThat(names(app))
                .containsExactly(
                        "apps/app/agent_packages/agent_1/system_prompt",
                        "apps/app/nodes/ag/workflow_prompt",
                        "apps/app/nodes/ag/outputs/report/check_prompt");
        assertThat(app.prompts().get(1).source().metadata())
                .containsEntry("node.type", "agent")
                .containsEntry("agent.package_ref", "agent_1")
                .containsEntry("agent_job.mode", "tell_agent_what_to_do");
    }

    @Test
    void agentV2NodeWithAnUnknownPackageFails() throws Exception {
        compile(workflow(AGENT_NODE.replace("package_ref: agent_1", "package_ref: ghost")));
        assertThat(errors()).singleElement().asString().contains("Agent node ag", "'ghost'");
    }

    @Test
    void agentV2NodeReadingAMissingNodeFails() throws Exception {
        compile(workflow(AGENT_NODE.replace("selector: ['1', topic]", "selector: ['gone', topic]")));
        assertThat(errors())
                .singleElement()
                .asString()
                .contains("Agent node ag", "'gone'", "previous_node_output_refs[0]");
    }

    @Test
    void agentV2NodeMentioningAMissingNodeFails() throws Exception {
        compile(workflow(AGENT_NODE.replace("[§node_output:1.topic:Topic§]", "[§node_output:gone.x§]")));
        assertThat(errors()).singleElement().asString().contains("[§node_output:gone.x§]", "'gone'");
    }

    @Test
    void agentV2NodeTemplateReferencesAreChecked() throws Exception {
        compile(workflow(AGENT_NODE.replace("and {{#1.topic#}}", "and {{#nope.topic#}}")));
        assertThat(errors()).singleElement().asString().contains("apps/app/nodes/ag/workflow_prompt", "'nope'");
    }

    @Test
    void humanInputFormFieldsAreNotDanglingReferences() throws Exception {
        DifyApp app = compile(workflow(FORM_NODE));
        assertThat(errors()).isEmpty();
        assertThat(problems.warnings()).isEmpty();
        assertThat(names(app))
                .contains(
                        "apps/app/nodes/hi/form_content",
                        "apps/app/nodes/hi/delivery_methods/0/subject",
                        "apps/app/nodes/hi/delivery_methods/0/body");
        DifyApp.AppPrompt form = app.prompts().stream()
                .filter(p -> p.source().name().endsWith("form_content"))
                .findFirst()
                .orElseThrow();
        assertThat(form.source().metadata())
                .containsEntry("form.fields", "comment,score")
                .containsEntry("form.actions", "ok");
    }

    @Test
    void humanInputFormReferencesToOtherNodesAreChecked() throws Exception {
        compile(workflow(FORM_NODE.replace("Topic {{#1.topic#}}", "Topic {{#nowhere.topic#}}")));
        assertThat(errors()).singleElement().asString().contains("apps/app/nodes/hi/form_content", "'nowhere'");
    }

    @Test
    void humanInputFormFieldNotDeclaredInInputsIsAWarning() throws Exception {
        compile(workflow(FORM_NODE.replace("{{#$outputs.score#}}", "{{#$output.rating#}}")));
        assertThat(errors()).isEmpty();
        assertThat(problems.warnings())
                .extracting(Problem::message)
                .singleElement()
                .asString()
                .contains("{{#$output.rating#}}", "'rating'");
    }

    @Test
    void formFieldOutsideAHumanInputNodeIsAWarning() throws Exception {
        compile(workflow(String.join(
                "\n",
                "    - id: a",
                "      data: {type: answer, title: A, answer: 'You said {{#$output.comment#}}'}")));
        assertThat(errors()).isEmpty();
        assertThat(problems.warnings())
                .extracting(Problem::message)
                .singleElement()
                .asString()
                .contains("apps/app/nodes/a/answer", "Human Input");
    }

    @Test
    void ragPipelineIsRefusedSayingWhatItIs() throws Exception {
        assertThat(compile("kind: rag_pipeline\nversion: 0.1.0\nrag_pipeline: {name: Ingest}\n"))
                .isNull();
        assertThat(errors())
                .singleElement()
                .asString()
                .contains("rag_pipeline", "knowledge (RAG) pipeline", "kind: app");
    }
}
