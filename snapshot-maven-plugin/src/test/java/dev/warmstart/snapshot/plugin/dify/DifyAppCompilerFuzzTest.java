package dev.warmstart.snapshot.plugin.dify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problems;
import dev.warmstart.snapshot.plugin.input.StructuredFileReader;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSyntaxException;
import java.nio.file.Path;

/**
 * Fuzzes the Dify app compiler on arbitrary exports (YAML text, seeded with real exports), and compiles every
 * prompt it extracts as the build would. Bad input must come back as reported problems; an exception other than
 * a prompt syntax error is a finding.
 */
class DifyAppCompilerFuzzTest {
    private static final Path FILE = Path.of("src/main/snapshot/apps/fuzz.yml");

    @FuzzTest(maxDuration = "10m")
    void compile(String text) {
        if (text == null) {
            return;
        }
        Problems problems = new Problems(Path.of("."));
        StructuredFileReader reader = new StructuredFileReader(256 * 1024);
        ParsedDocument document = reader.readYamlText(FILE, text, problems);
        if (document == null) {
            return;
        }
        DifyApp app = new DifyAppCompiler(reader).compile("fuzz", document, problems);
        if (app == null) {
            if (!problems.hasErrors()) {
                throw new AssertionError("no app and no problem reported");
            }
            return;
        }
        app.documentPath("model.name");
        for (DifyApp.AppPrompt prompt : app.prompts()) {
            try {
                PromptCompiler.compile(prompt.source());
            } catch (PromptSyntaxException reported) {
                // the build reports it with file and line
            }
        }
    }
}
