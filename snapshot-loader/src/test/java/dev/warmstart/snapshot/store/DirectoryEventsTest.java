package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What ends a wait for a store directory's events, for the watch chosen here (inotify through FFM on Linux and Java
 * 22+ with native access: the failsafe run on JDK 25; the JDK's WatchService elsewhere) and for the WatchService
 * everywhere. Waits that must end are bounded by an hour: each ends because of what it waits for, or the test fails.
 */
class DirectoryEventsTest {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    /** Long enough for the events of a file already written to have been queued; a wait past it says false. */
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(300);

    @TempDir
    Path tmp;

    private DirectoryEvents open(boolean chosenHere) throws IOException {
        return DirectoryEvents.open(Files.createDirectories(tmp.resolve("store")), chosenHere);
    }

    @Test
    void onLinuxWithJava22AndNativeAccessInotifyIsChosenElseTheWatchService() throws IOException {
        try (DirectoryEvents chosen = open(true);
                DirectoryEvents fallback = open(false)) {
            // set by the failsafe run on JDK 25, which enables native access as a service opts in
            boolean inotify = Boolean.getBoolean("warmstart.expectInotify");
            assertThat(chosen.getClass().getSimpleName()).isEqualTo(inotify ? "InotifyEvents" : "WatchServiceEvents");
            assertThat(fallback).isInstanceOf(WatchServiceEvents.class);
        }
    }

    @ParameterizedTest(name = "chosen here: {0}")
    @ValueSource(booleans = {true, false})
    void aRegistryRenamedIntoTheDirectoryEndsTheWait(boolean chosenHere) throws IOException {
        try (DirectoryEvents events = open(chosenHere)) {
            Path next = Files.writeString(tmp.resolve("registry.json.next"), "{}");
            Files.move(next, tmp.resolve("store/registry.json"), StandardCopyOption.ATOMIC_MOVE);
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> events.await(HOUR)))
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "chosen here: {0}")
    @ValueSource(booleans = {true, false})
    void aWritersTemporaryFileAndTheLockDoNotEndTheWaitTheRenameAfterThemDoes(boolean chosenHere)
            throws IOException, InterruptedException {
        try (DirectoryEvents events = open(chosenHere)) {
            Path store = tmp.resolve("store");
            // what a store change writes in the store directory before it renames the new registry into place
            Files.writeString(store.resolve(".lock"), "");
            Path temp = Files.writeString(store.resolve(".registry.json.3k2j9x.tmp"), "{");
            Files.writeString(temp, "{}");
            assertThat(events.await(SHORT)).as("woken by a scratch file").isFalse();
            Files.move(temp, store.resolve("registry.json"), StandardCopyOption.ATOMIC_MOVE);
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> events.await(HOUR)))
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "chosen here: {0}")
    @ValueSource(booleans = {true, false})
    void anyOtherNameEndsTheWait(boolean chosenHere) throws IOException {
        try (DirectoryEvents events = open(chosenHere)) {
            // a volume that swaps a symbolic link to its files (a Kubernetes ConfigMap: ..data) names the link
            Files.createSymbolicLink(tmp.resolve("store/..data"), tmp);
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> events.await(HOUR)))
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "chosen here: {0}")
    @ValueSource(booleans = {true, false})
    void closeEndsAWaitInProgressAndEveryLaterOne(boolean chosenHere) throws Exception {
        DirectoryEvents events = open(chosenHere);
        CompletableFuture<Boolean> waiting = new CompletableFuture<>();
        Thread watcher = new Thread(() -> {
            try {
                waiting.complete(events.await(HOUR));
            } catch (Throwable e) {
                waiting.completeExceptionally(e);
            }
        });
        watcher.start();
        while (watcher.getState() == Thread.State.NEW || watcher.getState() == Thread.State.BLOCKED) {
            Thread.onSpinWait(); // closed before or during the wait: either way it must end
        }
        events.close();
        ExecutionException ended = assertThrows(ExecutionException.class, () -> waiting.get(60, TimeUnit.SECONDS));
        assertThat(ended).hasCauseInstanceOf(InterruptedException.class);
        assertThrows(InterruptedException.class, () -> events.await(HOUR));
        events.close(); // idempotent
    }

    @ParameterizedTest(name = "chosen here: {0}")
    @ValueSource(booleans = {true, false})
    void theDirectoryRemovedEndsTheWaitAndLaterWaitsLastTheirTime(boolean chosenHere)
            throws IOException, InterruptedException {
        try (DirectoryEvents events = open(chosenHere)) {
            Files.delete(tmp.resolve("store"));
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> events.await(HOUR)))
                    .isTrue();
            assertThat(events.await(SHORT)).isFalse();
        }
    }
}
