package dev.warmstart.snapshot.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot finished with a read-back is checked before it replaces the target, and hashed by that check. */
class ReadBackBeforeRenameTest {
    private static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");

    @TempDir
    Path dir;

    private static void addEntries(SnapshotWriter w) throws IOException {
        for (int i = 0; i < 20; i++) {
            byte[] bytes = ("entry " + i + " ").repeat(i * 37 + 1).getBytes(StandardCharsets.UTF_8);
            w.addEntry(
                    "data/e" + i,
                    SnapshotFormat.KIND_FILE,
                    ContentHash.sha256().digest(bytes),
                    bytes.length,
                    () -> bytes);
        }
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theReadBackSeesTheCompleteFileBeforeTheRenameAndItsHashIsTheFileHash() throws Exception {
        Path target = dir.resolve("s.tar");
        Path plain = dir.resolve("plain.tar");
        List<Path> seen = new ArrayList<>();
        WrittenSnapshot written;
        try (SnapshotWriter w = SnapshotWriter.create(target)) {
            addEntries(w);
            written = w.finish(CREATED, "test", "1", Map.of(), file -> {
                seen.add(file);
                assertThat(target).doesNotExist();
                try (Snapshot s = Snapshot.open(file)) {
                    s.verify();
                }
                return ContentHash.hex(ContentHash.sha256().digest(Files.readAllBytes(file)));
            });
        }
        try (SnapshotWriter w = SnapshotWriter.create(plain)) {
            addEntries(w);
            w.finish(CREATED, "test", "1", Map.of());
        }
        assertThat(seen).singleElement().isNotEqualTo(target);
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(plain));
        assertThat(written.fileSha256())
                .isEqualTo(ContentHash.hex(ContentHash.sha256().digest(Files.readAllBytes(target))));
        assertThat(files()).containsExactly(plain, target);
    }

    @Test
    void aFailedReadBackLeavesThePreviousTargetAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("s.tar");
        Files.writeString(target, "the previous snapshot");
        try (SnapshotWriter w = SnapshotWriter.create(target)) {
            addEntries(w);
            assertThatThrownBy(() -> w.finish(CREATED, "test", "1", Map.of(), file -> {
                        throw new IllegalStateException("does not read back");
                    }))
                    .hasMessage("does not read back");
        }
        assertThat(Files.readString(target)).isEqualTo("the previous snapshot");
        assertThat(files()).containsExactly(target);
    }

    @Test
    void aReadBackThatReturnsNoHashFailsTheWrite() throws Exception {
        Path target = dir.resolve("s.tar");
        try (SnapshotWriter w = SnapshotWriter.create(target)) {
            addEntries(w);
            assertThatThrownBy(() -> w.finish(CREATED, "test", "1", Map.of(), file -> "not a hash"))
                    .isInstanceOf(IllegalStateException.class);
        }
        assertThat(files()).isEmpty();
    }
}
