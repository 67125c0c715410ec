package dev.warmstart.snapshot.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.store.Guard;
import dev.warmstart.snapshot.store.SnapshotRecord;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store goals' work, without Maven. */
class StoreTasksTest {
    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private Path snapshot(String label) throws Exception {
        Path file = dir.resolve(label + ".tar");
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, label.getBytes(StandardCharsets.UTF_8));
            writer.finish(Instant.parse("2026-11-20T00:00:00Z"), "test", "0", Map.of());
        }
        return file;
    }

    @Test
    void publishPromoteRollbackHistory() throws Exception {
        StoreTasks tasks = new StoreTasks(dir.resolve("store"), log::add);
        Path built1 = snapshot("v1");
        Path built2 = snapshot("v2");
        SnapshotRecord r1 = tasks.publish(built1);
        SnapshotRecord r2 = tasks.publish(built2);
        assertThat(log.get(0)).startsWith("Published snapshot " + r1.id());

        // No id: the snapshot the build wrote.
        StoreRegistry r = tasks.promote(null, built1, "stable", 0, null, true, Guard.DEFAULT);
        assertThat(r.stable()).isEqualTo(r1.id());
        r = tasks.promote(r2.id(), null, "canary", 10, Set.of("alice"), true, null);
        assertThat(r.canary("canary")).get().satisfies(c -> {
            assertThat(c.rule().percent()).isEqualTo(10.0);
            assertThat(c.rule().allowlist()).containsExactly("alice");
            assertThat(c.guard()).isNull();
        });
        assertThat(log)
                .anyMatch(l -> l.contains("is at revision 4: promote " + r2.id() + " to canary 'canary' at 10.0%"));

        r = tasks.promote(r2.id(), null, "stable", 0, null, true, Guard.DEFAULT);
        r = tasks.rollback(null);
        assertThat(r.stable()).isEqualTo(r1.id());
        assertThat(r.snapshot(r2.id()).orElseThrow().status()).isEqualTo(SnapshotRecord.ROLLED_BACK);

        log.clear();
        List<StoreRegistry> history = tasks.history();
        assertThat(history).hasSize(6);
        assertThat(log).contains("history (6 revisions, oldest first):");
        assertThat(log).anyMatch(l -> l.startsWith("stable: " + r1.id()));
    }

    @Test
    void refusalsSayWhatToDo() throws Exception {
        StoreTasks tasks = new StoreTasks(dir.resolve("store"), log::add);
        assertThatThrownBy(() -> tasks.publish(dir.resolve("target/snapshot/app-1-snapshot.tar")))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("build it first (mvn package)");
        assertThatThrownBy(() -> tasks.rollback(null))
                .hasMessageContaining("no store at")
                .hasMessageContaining("publish a snapshot into it first");
        Path built = snapshot("v1");
        SnapshotRecord record = tasks.publish(built);
        assertThatThrownBy(() -> tasks.promote(null, dir.resolve("nothing.tar"), "stable", 0, null, true, null))
                .hasMessageContaining("-Dsnapshot.id=ID");
        assertThatThrownBy(() -> tasks.promote("nope", null, "stable", 0, null, true, null))
                .hasMessageContaining("no snapshot 'nope'");
        assertThatThrownBy(() -> tasks.rollback(null)).hasMessageContaining("no previous stable");

        // A stored snapshot damaged after publication is not promoted.
        Path stored = dir.resolve("store").resolve(record.file());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length - 2048] ^= 1;
        Files.write(stored, bytes);
        assertThatThrownBy(() -> tasks.promote(record.id(), null, "stable", 0, null, true, null))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("not promoted");
    }
}
