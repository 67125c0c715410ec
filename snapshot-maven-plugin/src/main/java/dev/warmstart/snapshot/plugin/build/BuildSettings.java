package dev.warmstart.snapshot.plugin.build;

import dev.warmstart.snapshot.plugin.input.InputSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Everything a snapshot build needs besides its inputs' content.
 *
 * @param inputs where the inputs are and how they are validated
 * @param outputDirectory where the snapshot, its {@code .sha256} sidecar and {@code registry.json} go
 * @param fileName the snapshot file's name, e.g. {@code app-1.0-snapshot.tar}
 * @param fixedTimestamp the creation time from {@code project.build.outputTimestamp}, or null to use the clock
 * @param provenance provenance fields recorded in the metadata
 * @param producerVersion the plugin's version, recorded in the metadata
 */
public record BuildSettings(
        InputSettings inputs,
        Path outputDirectory,
        String fileName,
        Instant fixedTimestamp,
        Map<String, String> provenance,
        String producerVersion) {}
