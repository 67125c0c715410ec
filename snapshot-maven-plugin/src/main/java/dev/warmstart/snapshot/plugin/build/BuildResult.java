package dev.warmstart.snapshot.plugin.build;

import dev.warmstart.snapshot.plugin.input.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What a snapshot build produced.
 *
 * @param file the snapshot file
 * @param id the snapshot id
 * @param contentHash hex content hash
 * @param fileSha256 hex SHA-256 of the whole file (the sidecar's content)
 * @param fileBytes the file's size
 * @param configKeys number of config keys
 * @param prompts number of prompt templates
 * @param apps number of Dify apps
 * @param upToDate true when the inputs were unchanged and the existing file was kept
 * @param warnings problems that did not fail the build
 */
public record BuildResult(
        Path file,
        String id,
        String contentHash,
        String fileSha256,
        long fileBytes,
        int configKeys,
        int prompts,
        int apps,
        boolean upToDate,
        List<Problem> warnings) {

    /** @return the one-line summary the build log prints */
    public String summary() {
        return "Snapshot " + id + ": " + configKeys + " config keys, " + prompts + " prompts, " + apps + " apps, "
                + humanSize(fileBytes) + ", sha256 " + fileSha256;
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
