package dev.warmstart.snapshot.plugin.dify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.plugin.build.BuildResult;
import dev.warmstart.snapshot.plugin.build.BuildSettings;
import dev.warmstart.snapshot.plugin.build.SnapshotBuilder;
import dev.warmstart.snapshot.plugin.input.InputProblemsException;
import dev.warmstart.snapshot.plugin.input.InputSettings;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problems;
import dev.warmstart.snapshot.plugin.input.StructuredFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a whole snapshot of one Dify export and checks it reads back: one prompt per extracted prompt, each
 * holding the export's exact text and rendering back to it byte for byte when every variable is given its own
 * {@code {{...}}} spelling (Jinja2 prompts, which the loader does not render, are compared by their kept text).
 */
final class RoundTrip {
    private RoundTrip() {}

    /** Builds a snapshot of {@code export} alone in a fresh project under {@code work}. */
    static BuildResult build(Path export, Path work, DifyVersionPolicy policy)
            throws IOException, InputProblemsException {
        String fileName = export.getFileName().toString();
        Path project = Files.createDirectories(work.resolve("p" + Math.abs(fileName.hashCode())));
        Path apps = Files.createDirectories(project.resolve("src/main/snapshot/apps"));
        Files.copy(export, apps.resolve(fileName));
        return new SnapshotBuilder(line -> {})
                .build(new BuildSettings(
                        InputSettings.builder(project).difyVersionPolicy(policy).build(),
                        project.resolve("target/snapshot"),
                        "roundtrip.tar",
                        Instant.parse("2026-01-01T00:00:00Z"),
                        Map.of(),
                        "test"));
    }

    /**
     * Checks the snapshot against the export it was built from.
     *
     * @return the app as the compiler extracts it from the export, for further checks
     */
    static DifyApp check(Path export, BuildResult result, DifyVersionPolicy policy) throws IOException {
        Problems problems = new Problems(export.getParent());
        ParsedDocument doc = new StructuredFileReader().lastDuplicateKeyWins().read(export, problems);
        String appName = DifyAppCompiler.appName(export, problems);
        DifyApp app = new DifyAppCompiler(new StructuredFileReader(), policy).compile(appName, doc, problems);
        assertThat(problems.errors()).isEmpty();
        assertThat(result.apps()).isEqualTo(1);
        try (Snapshot snapshot = Snapshot.open(result.file())) {
            snapshot.verify();
            assertThat(snapshot.promptNames()).hasSize(app.prompts().size());
            for (DifyApp.AppPrompt prompt : app.prompts()) {
                PromptTemplate template = snapshot.prompt(prompt.source().name());
                String original = prompt.source().text();
                assertThat(template.text()).isEqualTo(original);
                if (template.syntax() == PromptSyntax.JINJA2) {
                    continue;
                }
                Map<String, Object> ownSpelling = new LinkedHashMap<>();
                template.variables().forEach(v -> ownSpelling.put(v, "{{" + v + "}}"));
                assertThat(template.render(ownSpelling))
                        .as(prompt.source().name())
                        .isEqualTo(original);
            }
            assertThat(snapshot.config()
                            .getString("apps." + dev.warmstart.snapshot.format.ConfigPath.escapeSegment(appName)
                                    + ".app.mode"))
                    .isEqualTo(app.mode());
        }
        return app;
    }
}
