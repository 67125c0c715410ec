package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.writer.PromptSource;
import java.nio.file.Path;
import java.util.List;

/**
 * The validated inputs of one snapshot.
 *
 * @param configs config trees with the prefix each is stored under
 * @param prompts prompt templates
 * @param appCount number of Dify apps
 * @param warnings problems that do not fail the build
 * @param inputFiles every file read, sorted (the build fingerprints them to skip unchanged builds)
 */
public record SnapshotInputs(List<ConfigInput> configs, List<PromptInput> prompts, int appCount,
        List<Problem> warnings, List<Path> inputFiles) {

    /**
     * A config tree.
     *
     * @param prefix the escaped key prefix ({@code model}, {@code apps.my-bot})
     * @param tree the values
     * @param file where it came from
     */
    public record ConfigInput(String prefix, Object tree, Path file) {
    }

    /**
     * A prompt template.
     *
     * @param source the template as authored
     * @param file where it came from
     */
    public record PromptInput(PromptSource source, Path file) {
    }
}
