package dev.warmstart.snapshot.plugin.dify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.plugin.build.BuildResult;
import dev.warmstart.snapshot.plugin.input.Problem;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports of today's Dify (DSL 0.6.0 and 0.7.0, written from Dify's own entity definitions: see the comment at the
 * top of each file under {@code src/test/resources/dify/}) build into snapshots whose every prompt renders back
 * byte for byte.
 */
class DifyFixturesTest {
    @TempDir
    Path work;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(DifyFixturesTest.class.getResource("/dify/" + name))
                .toURI());
    }

    private DifyApp roundTrip(String name, BuildResult[] out) throws Exception {
        Path export = fixture(name);
        BuildResult result = RoundTrip.build(export, work, DifyVersionPolicy.STRICT);
        out[0] = result;
        return RoundTrip.check(export, result, DifyVersionPolicy.STRICT);
    }

    @Test
    void agentApp070CompilesSoulPromptAndSettingsWithoutSecretFindings() throws Exception {
        BuildResult[] result = new BuildResult[1];
        DifyApp app = roundTrip("agent-app-0.7.0.yml", result);
        assertThat(app.mode()).isEqualTo("agent");
        assertThat(result[0].warnings()).isEmpty();
        assertThat(app.prompts())
                .extracting(p -> p.source().name())
                .containsExactly(
                        "apps/agent-app-0.7.0/agent_packages/agent_1/system_prompt",
                        "apps/agent-app-0.7.0/opening_statement");
        assertThat(app.prompts().get(0).source().metadata())
                .containsEntry("agent.package_ref", "agent_1")
                .containsEntry("agent.name", "Billing Agent")
                .containsEntry("model.name", "gpt-4.1-mini");
        try (Snapshot snapshot = Snapshot.open(result[0].file())) {
            Config config = snapshot.config();
            String p = "apps.agent-app-0\\.7\\.0.";
            assertThat(config.getString(p + "agent.package_ref")).isEqualTo("agent_1");
            assertThat(config.getString(p + "agent_packages.agent_1.soul.model.model"))
                    .isEqualTo("gpt-4.1-mini");
            assertThat(config.getDouble(p + "agent_packages.agent_1.soul.model.model_settings.temperature"))
                    .isEqualTo(0.2);
            assertThat(config.getString(p + "omitted_assets[0].name")).isEqualTo("refund-policy.pdf");
            assertThat(config.getString(p + "omitted_assets[0].package_ref")).isEqualTo("agent_1");
            assertThat(config.getString(p + "omitted_assets[1].kind")).isEqualTo("skill");
            assertThat(snapshot.prompt("apps/agent-app-0.7.0/agent_packages/agent_1/system_prompt")
                            .render(Map.of("company", "Acme", "refund_limit", "20 EUR")))
                    .contains("billing specialist of Acme.", "above 20 EUR without", "[§human:c-1:Billing lead§]");
        }
    }

    @Test
    void workflow070CompilesAgentV2AndHumanInputNodes() throws Exception {
        BuildResult[] result = new BuildResult[1];
        DifyApp app = roundTrip("workflow-0.7.0.yml", result);
        assertThat(result[0].warnings()).isEmpty();
        assertThat(app.prompts())
                .extracting(p -> p.source().name())
                .containsExactly(
                        "apps/workflow-0.7.0/nodes/1751000000002/0",
                        "apps/workflow-0.7.0/nodes/1751000000002/1",
                        "apps/workflow-0.7.0/agent_packages/agent_1/system_prompt",
                        "apps/workflow-0.7.0/nodes/1751000000003/workflow_prompt",
                        "apps/workflow-0.7.0/nodes/1751000000003/outputs/annotated/check_prompt",
                        "apps/workflow-0.7.0/nodes/1751000000004/form_content",
                        "apps/workflow-0.7.0/nodes/1751000000004/delivery_methods/1/subject",
                        "apps/workflow-0.7.0/nodes/1751000000004/delivery_methods/1/body");
        try (Snapshot snapshot = Snapshot.open(result[0].file())) {
            var job = snapshot.prompt("apps/workflow-0.7.0/nodes/1751000000003/workflow_prompt");
            assertThat(job.variables()).containsExactly("#1751000000001.contract#");
            assertThat(job.metadata("agent.package_ref")).contains("agent_1");
            assertThat(job.metadata("agent_job.mode")).contains("tell_agent_what_to_do");
            var form = snapshot.prompt("apps/workflow-0.7.0/nodes/1751000000004/form_content");
            assertThat(form.variables()).containsExactly("#1751000000003.verdict#");
            assertThat(form.metadata("form.fields")).contains("comment,amount");
            assertThat(form.metadata("form.actions")).contains("approve,reject");
            assertThat(form.render(Map.of("#1751000000003.verdict#", "sign")))
                    .contains("sign", "Your comment: {{#$output.comment#}}");
            assertThat(snapshot.config()
                            .getString("apps.workflow-0\\.7\\.0.workflow.nodes.1751000000004.user_actions[0].title"))
                    .isEqualTo("Approve");
        }
    }

    @Test
    void chatflow070CompilesAgentV2HumanInputAndAnswer() throws Exception {
        BuildResult[] result = new BuildResult[1];
        DifyApp app = roundTrip("chatflow-0.7.0.yml", result);
        assertThat(result[0].warnings()).isEmpty();
        assertThat(app.prompts())
                .extracting(p -> p.source().name())
                .contains(
                        "apps/chatflow-0.7.0/opening_statement",
                        "apps/chatflow-0.7.0/nodes/1752000000002/workflow_prompt",
                        "apps/chatflow-0.7.0/nodes/1752000000003/form_content",
                        "apps/chatflow-0.7.0/nodes/1752000000004/answer");
        try (Snapshot snapshot = Snapshot.open(result[0].file())) {
            assertThat(snapshot.config().getString("apps.chatflow-0\\.7\\.0.omitted_assets[0].name"))
                    .isEqualTo("refund-policy.md");
        }
    }

    @Test
    void chatflow060IsReadAsAnOlderMinorWithAWarning() throws Exception {
        BuildResult[] result = new BuildResult[1];
        DifyApp app = roundTrip("chatflow-0.6.0.yml", result);
        assertThat(app.dslVersion()).isEqualTo("0.6.0");
        assertThat(result[0].warnings())
                .extracting(Problem::message)
                .singleElement()
                .asString()
                .contains("0.6.0", "older than 0.7.0");
        assertThat(app.prompts())
                .extracting(p -> p.source().name())
                .containsExactly(
                        "apps/chatflow-0.6.0/opening_statement",
                        "apps/chatflow-0.6.0/nodes/1750000000002/instruction",
                        "apps/chatflow-0.6.0/nodes/1750000000004/0",
                        "apps/chatflow-0.6.0/nodes/1750000000004/query_prompt",
                        "apps/chatflow-0.6.0/nodes/1750000000005/answer");
    }
}
