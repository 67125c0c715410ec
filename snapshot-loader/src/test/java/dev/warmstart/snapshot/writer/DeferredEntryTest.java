package dev.warmstart.snapshot.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Entries whose hash the caller computed are written straight into the tar, exactly as spooled ones would be. */
class DeferredEntryTest {
    private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path dir;

    private static byte[] data(int i) {
        return ("entry " + i + " ").repeat(i * 97 % 3000 + 1).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void deferredEntriesGiveTheSameFileAsSpooledOnes() throws Exception {
        Path spooled = dir.resolve("spooled.tar");
        Path deferred = dir.resolve("deferred.tar");
        try (SnapshotWriter w = SnapshotWriter.create(spooled)) {
            for (int i = 0; i < 40; i++) {
                w.addEntry("data/e" + i, SnapshotFormat.KIND_FILE, data(i));
            }
            w.finish(CREATED, "test", "1", Map.of());
        }
        try (SnapshotWriter w = SnapshotWriter.create(deferred)) {
            for (int i = 39; i >= 0; i--) { // any order: the tar is laid out by name
                byte[] bytes = data(i);
                w.addEntry(
                        "data/e" + i,
                        SnapshotFormat.KIND_FILE,
                        ContentHash.sha256().digest(bytes),
                        bytes.length,
                        () -> bytes);
            }
            w.finish(CREATED, "test", "1", Map.of());
        }
        assertThat(Files.readAllBytes(deferred)).isEqualTo(Files.readAllBytes(spooled));
        try (Snapshot s = Snapshot.open(deferred)) {
            s.verify();
        }
    }

    @Test
    void aDeferredEntryOfAnotherLengthFailsTheWriteAndLeavesNoFile() throws Exception {
        Path target = dir.resolve("s.tar");
        byte[] bytes = data(3);
        try (SnapshotWriter w = SnapshotWriter.create(target)) {
            w.addEntry(
                    "data/e",
                    SnapshotFormat.KIND_FILE,
                    ContentHash.sha256().digest(bytes),
                    bytes.length + 1,
                    () -> bytes);
            assertThatThrownBy(() -> w.finish(CREATED, "test", "1", Map.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'data/e'");
        }
        assertThat(target).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
