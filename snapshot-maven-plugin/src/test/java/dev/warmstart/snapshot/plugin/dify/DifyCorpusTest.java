package dev.warmstart.snapshot.plugin.dify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.plugin.build.BuildResult;
import dev.warmstart.snapshot.plugin.input.InputProblemsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every real Dify export of the shared corpus (path from the {@code corpus.dir} system property), and every export
 * of today's Dify in the test resources, goes through a whole snapshot build and reads back: each extracted prompt renders to the exact text of the export when its
 * variables are given as their own {@code {{...}}} spelling, and each Jinja2 prompt keeps its text.
 */
class DifyCorpusTest {
    /**
     * Exports expected to fail, each with the message that must say why (see docs/dify.md): their authors left
     * real credentials in HTTP-request nodes and tool settings, which the secret check refuses to bake in.
     */
    private static final Map<String, String> EXPECTED_FAILURES = Map.of(
            "Dify 运营一条龙.yml", "authorization.config.api_key' holds a literal secret",
            "Text to Card Iteration.yml", "authorization.config.api_key' holds a literal secret",
            "完蛋！我被LLM包围了！（战绩排行版）.yml", "tool_configurations.db_password' holds a literal secret");

    @TempDir
    Path work;

    @TestFactory
    Stream<DynamicTest> everyExportSnapshotsAndRendersBack() throws IOException {
        String dir = System.getProperty("corpus.dir");
        Path corpus = dir == null ? null : Path.of(dir, "dify-awesome");
        Assumptions.assumeTrue(
                corpus != null && Files.isDirectory(corpus),
                "corpus not found (set -Dcorpus.dir to the shared corpus; was " + dir
                        + "): skipping the Dify corpus suite");
        List<Path> exports;
        try (Stream<Path> files = Files.list(corpus)) {
            exports = files.filter(f -> f.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        assertThat(exports).hasSizeGreaterThanOrEqualTo(40);
        return exports.stream()
                .map(export -> DynamicTest.dynamicTest(
                        export.getFileName().toString(), () -> snapshotsAndRendersBack(export)));
    }

    /**
     * The second corpus: exports of today's Dify (DSL 0.6.0 and 0.7.0) kept in the test resources, written from
     * Dify's own entity definitions because no real export under a licence the project may keep was found. Every
     * file there builds and renders back, with the version rule at its default.
     */
    @TestFactory
    Stream<DynamicTest> everyCurrentDifyFixtureSnapshotsAndRendersBack() throws Exception {
        Path fixtures = Path.of(Objects.requireNonNull(DifyCorpusTest.class.getResource("/dify/agent-app-0.7.0.yml"))
                        .toURI())
                .getParent();
        List<Path> exports;
        try (Stream<Path> files = Files.list(fixtures)) {
            exports = files.filter(f -> f.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        assertThat(exports).hasSizeGreaterThanOrEqualTo(4);
        return exports.stream()
                .map(export -> DynamicTest.dynamicTest(
                        export.getFileName().toString(), () -> snapshotsAndRendersBack(export)));
    }

    private void snapshotsAndRendersBack(Path export) throws Exception {
        String fileName = export.getFileName().toString();
        BuildResult result;
        try {
            result = RoundTrip.build(export, work, DifyVersionPolicy.STRICT);
        } catch (InputProblemsException e) {
            assertThat(EXPECTED_FAILURES)
                    .as("unexpected failure of %s: %s", fileName, e.getMessage())
                    .containsKey(fileName);
            assertThat(e.getMessage()).contains(EXPECTED_FAILURES.get(fileName));
            return;
        }
        assertThat(EXPECTED_FAILURES).as("%s was expected to fail", fileName).doesNotContainKey(fileName);
        RoundTrip.check(export, result, DifyVersionPolicy.STRICT);
    }
}
