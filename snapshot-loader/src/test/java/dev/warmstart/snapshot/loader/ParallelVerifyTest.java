package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Snapshot#verifyUsing} finds what {@link Snapshot#verify()} finds, and says it alike. */
class ParallelVerifyTest {
    @TempDir
    Path dir;

    final ExecutorService executor = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** @return what verifying reports: "ok", or the exception's class and message */
    private static String outcome(Path file, ExecutorService executor) throws IOException {
        try (Snapshot snapshot = Snapshot.open(file)) {
            if (executor == null) {
                snapshot.verify();
            } else {
                snapshot.verifyUsing(executor);
            }
            return "ok";
        } catch (SnapshotException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void everyFlippedByteIsReportedOnThreadsAsOnOneThread() throws IOException {
        Path good = SnapshotTestFiles.small(dir.resolve("good.tar"));
        long length = Files.size(good);
        int damaged = 0;
        for (long offset = 0; offset < length; offset += 7) {
            Path bad = CorruptionInjector.copy(good, dir.resolve("bad.tar"));
            CorruptionInjector.flipByte(bad, offset);
            String sequential;
            try {
                sequential = outcome(bad, null);
            } catch (IOException | SnapshotException e) {
                continue; // refused at open: verify is never reached
            }
            assertThat(outcome(bad, executor)).as("byte " + offset).isEqualTo(sequential);
            damaged += sequential.equals("ok") ? 0 : 1;
        }
        assertThat(damaged).isPositive();
        assertThat(outcome(good, executor)).isEqualTo("ok");
    }

    @Test
    void ofSeveralDamagedEntriesInDifferentSlicesTheFirstInTheIndexIsReported() throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        for (int i = 0; i < 8; i++) {
            byte[] data = new byte[3 << 20]; // two entries per slice of about 4 MiB
            java.util.Arrays.fill(data, (byte) i);
            entries.put("e" + i, data);
        }
        Path file = SnapshotTestFiles.write(dir.resolve("big.tar"), entries);
        SnapshotEntry third;
        SnapshotEntry seventh;
        try (Snapshot snapshot = Snapshot.open(file)) {
            third = snapshot.entries().stream()
                    .filter(e -> e.name().equals("e2"))
                    .findFirst()
                    .orElseThrow();
            seventh = snapshot.entries().stream()
                    .filter(e -> e.name().equals("e6"))
                    .findFirst()
                    .orElseThrow();
        }
        CorruptionInjector.flipByte(file, seventh.offset() + 5);
        CorruptionInjector.flipByte(file, third.offset() + third.length() - 1);
        String sequential = outcome(file, null);
        assertThat(sequential).contains("'e2'");
        for (int run = 0; run < 5; run++) {
            assertThat(outcome(file, executor)).isEqualTo(sequential);
        }
    }

    @Test
    void aRejectingExecutorFailsTheCheckInsteadOfPassingIt() throws IOException {
        Path good = SnapshotTestFiles.small(dir.resolve("good.tar"));
        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        try (Snapshot snapshot = Snapshot.open(good)) {
            assertThatThrownBy(() -> snapshot.verifyUsing(stopped))
                    .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        }
    }
}
