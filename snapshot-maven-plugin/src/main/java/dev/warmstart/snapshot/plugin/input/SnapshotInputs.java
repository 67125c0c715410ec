package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.writer.PromptSource;
import java.io.IOException;
import java.io.UncheckedIOException;
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
public record SnapshotInputs(
        List<ConfigInput> configs,
        List<PromptInput> prompts,
        int appCount,
        List<Problem> warnings,
        List<Path> inputFiles) {

    /**
     * A config tree.
     *
     * @param prefix the escaped key prefix ({@code model}, {@code apps.my-bot})
     * @param tree the values
     * @param file where it came from
     */
    public record ConfigInput(String prefix, Object tree, Path file) {}

    /**
     * A prompt template, validated. Its text is not kept: {@link #source()} reads it again when the snapshot is
     * written, one prompt at a time, so the build's memory does not grow with the total size of the prompts.
     *
     * @param name the prompt's name
     * @param file where it came from
     * @param loader reads the template as authored
     */
    public record PromptInput(String name, Path file, Loader loader) {
        /** Reads a template. */
        @FunctionalInterface
        public interface Loader {
            /** @return the template as authored */
            PromptSource load() throws IOException;
        }

        /**
         * @return the template as authored
         * @throws UncheckedIOException when it can no longer be read
         */
        public PromptSource source() {
            try {
                return loader.load();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
