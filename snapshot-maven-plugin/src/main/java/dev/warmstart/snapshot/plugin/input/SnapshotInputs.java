package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The validated inputs of one snapshot. Close it when done: compiled prompts beyond the memory budget wait in a
 * temporary file.
 *
 * @param configs config trees with the prefix each is stored under
 * @param prompts prompt templates, compiled, in the order of their input files
 * @param appCount number of Dify apps
 * @param warnings problems that do not fail the build
 * @param inputFiles every file read, sorted
 * @param compiled where the prompts' entry bytes are kept
 */
public record SnapshotInputs(
        List<ConfigInput> configs,
        List<PromptInput> prompts,
        int appCount,
        List<Problem> warnings,
        List<Path> inputFiles,
        CompiledPrompts compiled)
        implements AutoCloseable {

    /**
     * A config tree.
     *
     * @param prefix the escaped key prefix ({@code model}, {@code apps.my-bot})
     * @param tree the values
     * @param file where it came from
     */
    public record ConfigInput(String prefix, Object tree, Path file) {}

    /**
     * A prompt template, validated and compiled once; its entry bytes are in {@link SnapshotInputs#compiled()}.
     *
     * @param name the prompt's name
     * @param file where it came from
     * @param entry its compiled entry
     */
    public record PromptInput(String name, Path file, CompiledPrompts.Entry entry) {}

    /** @return the entry bytes of a prompt */
    public byte[] bytes(PromptInput prompt) throws IOException {
        return compiled.bytes(prompt.entry());
    }

    /** @return the entry bytes of a prompt, for the writer: spilled ones are copied from file to file */
    public SnapshotWriter.Deferred source(PromptInput prompt) throws IOException {
        return compiled.source(prompt.entry());
    }

    /** Deletes the temporary file of spilled prompts, if any. */
    @Override
    public void close() throws IOException {
        compiled.close();
    }
}
