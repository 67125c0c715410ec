package dev.warmstart.snapshot.store;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** Snapshots and clocks for the store tests. */
final class StoreFixtures {
    private StoreFixtures() {}

    /** Options for tests that call {@code refresh()} themselves: no poll and no watcher to race with. */
    static ManagerOptions manual() {
        return ManagerOptions.defaults().withPollInterval(Duration.ofHours(1)).withWatchService(false);
    }

    /** Waits up to 20 s for {@code condition}, failing the test with {@code what} when it does not come. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** @return whether {@code snapshot} is closed (reading it throws): a manager closes on its own thread */
    static boolean isClosed(Snapshot snapshot) {
        try {
            snapshot.entry("version.txt");
            return false;
        } catch (IllegalStateException closed) {
            return true;
        }
    }

    /**
     * Writes a snapshot whose every entry holds {@code label}, so a reader can tell which snapshot any byte came
     * from: {@code version.txt} is the label, {@code payload.bin} is the label repeated to 64 KiB.
     */
    static Path snapshot(Path dir, String label) throws IOException {
        return snapshot(dir, label, 65536);
    }

    /**
     * As {@link #snapshot(Path, String)}, with {@code payload.bin} of about {@code payloadBytes}: above the
     * loader's read limit (1 MiB) the snapshot is mapped rather than read.
     */
    static Path snapshot(Path dir, String label, int payloadBytes) throws IOException {
        Path file = dir.resolve(label + ".tar");
        byte[] one = label.getBytes(StandardCharsets.UTF_8);
        byte[] payload = (label + "|").repeat(payloadBytes / (one.length + 1)).getBytes(StandardCharsets.UTF_8);
        try (SnapshotWriter writer = SnapshotWriter.create(file)) {
            writer.addEntry("payload.bin", SnapshotFormat.KIND_FILE, payload);
            writer.addEntry("version.txt", SnapshotFormat.KIND_FILE, one);
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "test", "0", Map.of("label", label));
        }
        return file;
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private final AtomicLong millis =
                new AtomicLong(Instant.parse("2026-11-25T00:00:00Z").toEpochMilli());

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }
}
