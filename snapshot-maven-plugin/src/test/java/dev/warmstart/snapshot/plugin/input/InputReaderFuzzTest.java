package dev.warmstart.snapshot.plugin.input;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Fuzzes the YAML/JSON input reader. Bad input must come back as reported problems (or a document): never an
 * exception, a hang, or memory exhaustion (alias bombs, deep nesting, huge scalars). Replayed inputs live in
 * {@code src/test/resources/dev/warmstart/snapshot/plugin/input/InputReaderFuzzTestInputs/yamlAndJson/}.
 */
class InputReaderFuzzTest {
    private static final Path FILE = Path.of("src/main/snapshot/config/fuzz.yml");

    @FuzzTest(maxDuration = "10m")
    void yamlAndJson(FuzzedDataProvider data) {
        boolean json = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        Problems problems = new Problems(Path.of("."));
        StructuredFileReader reader = new StructuredFileReader(64 * 1024);
        ParsedDocument document =
                json ? reader.readJsonText(FILE, text, problems) : reader.readYamlText(FILE, text, problems);
        if (document == null && !problems.hasErrors()) {
            throw new AssertionError("no document and no problem reported");
        }
    }
}
