package dev.warmstart.snapshot.plugin.dify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.plugin.input.InputCompiler;
import dev.warmstart.snapshot.plugin.input.InputProblemsException;
import dev.warmstart.snapshot.plugin.input.InputSettings;
import dev.warmstart.snapshot.plugin.input.Problem;
import dev.warmstart.snapshot.plugin.input.ReadBack;
import dev.warmstart.snapshot.plugin.input.SnapshotInputs;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How Dify export files are read as inputs: repeated keys, app names from file names, the version policy. */
class DifyInputFilesTest {
    @TempDir
    Path project;

    private static final String CHAT = String.join(
            "\n",
            "app:",
            "  mode: chat",
            "  name: Helper",
            "kind: app",
            "version: 0.7.0",
            "model_config:",
            "  pre_prompt: 'You help {{name}}.'",
            "  model: {provider: openai, name: gpt-4o}",
            "");

    private Path write(String relative, String content) throws IOException {
        Path file = project.resolve("src/main/snapshot").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private SnapshotInputs compile() throws Exception {
        return compile(DifyVersionPolicy.STRICT);
    }

    private SnapshotInputs compile(DifyVersionPolicy policy) throws Exception {
        return new InputCompiler()
                .compile(
                        InputSettings.builder(project).difyVersionPolicy(policy).build());
    }

    private static Map<String, Object> config(SnapshotInputs inputs) {
        ConfigTableWriter table = new ConfigTableWriter();
        for (SnapshotInputs.ConfigInput c : inputs.configs()) {
            table.put(c.prefix(), c.tree());
        }
        return table.entries();
    }

    @Test
    void repeatedKeyInAnExportKeepsTheLastValueWithAWarningNamingBothLines() throws Exception {
        write(
                "apps/agg.yml",
                CHAT.replace(
                        "  model: {provider: openai, name: gpt-4o}\n",
                        "  model: {provider: openai, name: gpt-4o}\n"
                                + "  advanced_settings:\n    group_enabled: false\n"
                                + "  advanced_settings:\n    group_enabled: true\n    groups: []\n"));
        SnapshotInputs inputs = compile();
        assertThat(config(inputs)).containsEntry("apps.agg.model_config.advanced_settings.group_enabled", true);
        assertThat(inputs.warnings())
                .extracting(Problem::toString)
                .singleElement()
                .asString()
                .contains(
                        "advanced_settings",
                        "src/main/snapshot/apps/agg.yml:9 and src/main/snapshot/apps/agg.yml:11",
                        "last value");
        assertThat(inputs.warnings().get(0).line()).isEqualTo(11);
    }

    @Test
    void repeatedKeyInAnExportApiJsonResponseKeepsTheLastValueToo() throws Exception {
        write(
                "apps/api.json",
                "{\"data\": \"app: {mode: chat, name: A}\\nkind: app\\nversion: 0.7.0\\n"
                        + "model_config: {pre_prompt: first}\\nmodel_config: {pre_prompt: second}\\n\",\n"
                        + " \"data\": \"app: {mode: chat, name: B}\\nkind: app\\nversion: 0.7.0\\n"
                        + "model_config: {pre_prompt: kept}\\n\"}");
        SnapshotInputs inputs = compile();
        assertThat(config(inputs)).containsEntry("apps.api.app.name", "B");
        assertThat(inputs.prompts())
                .extracting(SnapshotInputs.PromptInput::name)
                .containsExactly("apps/api/pre_prompt");
        assertThat(ReadBack.template(inputs, inputs.prompts().get(0)).text()).isEqualTo("kept");
        assertThat(inputs.warnings())
                .extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("'data'", "api.json:1 and", "api.json:2"));
    }

    @Test
    void repeatedKeyInAConfigFileStillFails() throws Exception {
        write("config/model.yml", "name: a\nname: b\n");
        write("apps/ok.yml", CHAT);
        assertThatThrownBy(this::compile)
                .isInstanceOf(InputProblemsException.class)
                .hasMessageContaining("model.yml:2")
                .hasMessageContaining("duplicate key 'name'");
    }

    @Test
    void repeatedKeyInAPromptFileStillFails() throws Exception {
        write("prompts/p.yml", "prompt: a\nprompt: b\n");
        assertThatThrownBy(this::compile)
                .isInstanceOf(InputProblemsException.class)
                .hasMessageContaining("duplicate key 'prompt'");
    }

    @Test
    void appNameFromAFileNameWithStraySpacesIsTrimmed() throws Exception {
        write("apps/Deep Researcher On Dify .yml", CHAT);
        SnapshotInputs inputs = compile();
        assertThat(inputs.prompts())
                .extracting(SnapshotInputs.PromptInput::name)
                .containsExactly("apps/Deep Researcher On Dify/pre_prompt");
        assertThat(config(inputs)).containsKey("apps.Deep Researcher On Dify.app.mode");
    }

    @Test
    void twoFilesThatDifferOnlyInStraySpacesCollide() throws Exception {
        write("apps/bot.yml", CHAT);
        write("apps/bot .yml", CHAT);
        assertThatThrownBy(this::compile)
                .isInstanceOf(InputProblemsException.class)
                .hasMessageContaining("Dify app 'bot'")
                .hasMessageContaining("apps/bot .yml")
                .hasMessageContaining("apps/bot.yml");
    }

    @Test
    void versionPolicyReachesTheCompiler() throws Exception {
        write("apps/next.yml", CHAT.replace("version: 0.7.0", "version: 0.8.0"));
        assertThatThrownBy(this::compile).hasMessageContaining("difyVersionPolicy");
        assertThat(compile(DifyVersionPolicy.WARN).warnings())
                .extracting(Problem::message)
                .singleElement()
                .asString()
                .contains("read as 0.7.0");
    }

    @Test
    void portableExportWithNulledCredentialsHasNoSecretFindings() throws Exception {
        write(
                "apps/agent.yml",
                String.join(
                        "\n",
                        "app: {mode: agent, name: A}",
                        "kind: app",
                        "version: 0.7.0",
                        "agent: {package_ref: agent_1}",
                        "agent_packages:",
                        "  agent_1:",
                        "    metadata: {name: A}",
                        "    soul:",
                        "      prompt: {system_prompt: Hi}",
                        "      model: {plugin_id: p, model_provider: openai, model: gpt-4.1, credential_ref: null}",
                        "      tools:",
                        "        dify_tools:",
                        "        - {provider: x, credential_type: unauthorized, credential_ref: null,"
                                + " runtime_parameters: {api_key: null, access_token: null, client_secret: null}}",
                        "      env:",
                        "        secret_refs: [{name: search, env_name: SEARCH_API_KEY, provider: serp}]",
                        "      human:",
                        "        contacts: [{id: null, contact_id: null, human_id: null, tenant_id: null, name: Lead}]",
                        "    omitted_assets: [{kind: skill, name: s, size: 1, hash: ab, mime_type: text/plain}]",
                        ""));
        SnapshotInputs inputs = compile();
        assertThat(inputs.warnings()).isEmpty();
        assertThat(config(inputs)).containsEntry("apps.agent.omitted_assets[0].name", "s");
    }
}
