package dev.warmstart.snapshot.plugin.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt files are validated and compiled on several threads: nothing that comes out may depend on that. */
class ParallelInputTest {
    @TempDir
    Path project;

    private void write(String relative, String content) throws IOException {
        Path file = project.resolve("src/main/snapshot").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private void manyPrompts() throws IOException {
        for (int i = 0; i < 120; i++) {
            // sizes from a few bytes to ~40 KiB, so the threads finish out of order
            String body = "word ".repeat((i * 7919) % 8000);
            String name = String.format(Locale.ROOT, "g%d/p%03d", i % 7, i);
            if (i % 5 == 0) {
                write("prompts/" + name + ".yml", "prompt: |\n  Hi {{user}} " + body + "\nvariables: [user]\n");
            } else {
                write("prompts/" + name + ".prompt", "Ask {{q}} of {{who}}: " + body);
            }
        }
    }

    private SnapshotInputs compile(int threads, long heapBudget) throws Exception {
        return new InputCompiler()
                .threads(threads)
                .heapBudget(heapBudget)
                .compile(InputSettings.builder(project).build());
    }

    @Test
    void compiledPromptsAreTheSameOnOneThreadOrManyAndWhenSpilled() throws Exception {
        manyPrompts();
        try (SnapshotInputs one = compile(1, 64L << 20);
                SnapshotInputs many = compile(4, 0)) {
            assertThat(many.compiled().spilledBytes()).isPositive();
            assertThat(one.compiled().spilledBytes()).isZero();
            assertThat(many.prompts())
                    .extracting(SnapshotInputs.PromptInput::name)
                    .containsExactlyElementsOf(one.prompts().stream()
                            .map(SnapshotInputs.PromptInput::name)
                            .toList());
            for (int i = 0; i < one.prompts().size(); i++) {
                assertThat(many.bytes(many.prompts().get(i)))
                        .isEqualTo(one.bytes(one.prompts().get(i)));
                assertThat(many.prompts().get(i).entry().sha256())
                        .isEqualTo(one.prompts().get(i).entry().sha256());
            }
        }
    }

    /** Writes the prompts into a snapshot as the builder does: on {@code threads}, with a read-back. */
    private Path snapshot(SnapshotInputs inputs, String fileName, int threads) throws IOException {
        Path file = project.resolve(fileName);
        try (SnapshotWriter writer = SnapshotWriter.create(file).writeThreads(threads)) {
            for (SnapshotInputs.PromptInput prompt : inputs.prompts()) {
                writer.addEntry(
                        SnapshotFormat.promptEntryName(prompt.name()),
                        SnapshotFormat.KIND_PROMPT,
                        prompt.entry().sha256(),
                        prompt.entry().length(),
                        inputs.source(prompt));
            }
            writer.finish(Instant.parse("2026-01-01T00:00:00Z"), "test", "0", Map.of(), written -> {
                try (Snapshot s = Snapshot.open(written)) {
                    s.verify();
                }
                return ContentHash.hex(ContentHash.sha256().digest(Files.readAllBytes(written)));
            });
        }
        return file;
    }

    @Test
    void spilledPromptsCopiedFromTheSpillFileGiveTheSameSnapshotAsPromptsOnTheHeap() throws Exception {
        manyPrompts();
        try (SnapshotInputs onHeap = compile(1, 64L << 20);
                SnapshotInputs spilled = compile(4, 0)) {
            assertThat(spilled.compiled().spilledBytes()).isPositive();
            Path fromHeap = snapshot(onHeap, "heap.tar", 1);
            Path fromSpill = snapshot(spilled, "spill.tar", 3);
            assertThat(Files.readAllBytes(fromSpill)).isEqualTo(Files.readAllBytes(fromHeap));
        }
    }

    @Test
    void problemsOfManyFilesComeInFileOrderWhateverTheThreads() throws Exception {
        manyPrompts();
        write("prompts/g1/bad-braces.prompt", "word ".repeat(5000) + "Hello {{name");
        write("prompts/g3/bad-secret.txt", "key sk-abcdefghijklmnopqrstuvwxyz0123");
        write("prompts/g3/bad-syntax.yml", "prompt: [unclosed\n");
        write("prompts/g5/unused.yml", "prompt: 'Hi {{a}}'\nvariables: [a, b]\n");
        write("prompts/g0/p000.txt", "a second input named g0/p000");
        List<Problem> first = null;
        for (int threads : new int[] {1, 2, 5}) {
            InputProblemsException e = catchThrowableOfType(() -> compile(threads, 0), InputProblemsException.class);
            List<Problem> problems = new ArrayList<>(e.problems());
            if (first == null) {
                first = problems;
                assertThat(problems)
                        .extracting(Problem::message)
                        .satisfiesExactly(
                                m -> assertThat(m).contains("two inputs map to the same snapshot name"),
                                m -> assertThat(m).contains("prompt 'g1/bad-braces'"),
                                m -> assertThat(m).contains("API key"),
                                m -> assertThat(m).isNotEmpty());
                assertThat(problems.get(3).file().toString()).endsWith("bad-syntax.yml");
            } else {
                assertThat(problems).isEqualTo(first);
            }
        }
    }
}
