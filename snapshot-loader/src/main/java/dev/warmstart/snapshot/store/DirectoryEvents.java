package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

/**
 * The file-system events of a store directory that may mean a new {@code registry.json}: any name but a store
 * writer's temporary file or the lock ({@link DirectoryRevisionSource#concernsRegistry(Path)}).
 *
 * <p>Two implementations, chosen by {@link #open(Path)} at run time. On Linux with Java 22 or later, when the
 * loader may call native code ({@code --enable-native-access}), {@code InotifyEvents} (compiled for Java 22 from
 * {@code src/main/java22}, like {@code ArenaFileMapping}) reads inotify on the waiting thread itself: the rename
 * wakes that thread, and only it. Everywhere else {@link WatchServiceEvents} uses the JDK's {@code WatchService},
 * whose own poller thread reads the events and then wakes the waiting thread: two thread wake-ups per change, each
 * of which waits for a core when every core is busy (docs/performance.md section 4).
 */
interface DirectoryEvents extends AutoCloseable {
    /**
     * Waits for an event that may mean a new registry, or at most {@code maxNanos}. Called by one thread at a time.
     *
     * @return true on such an event (or when events were lost, or the directory itself went away), false when the
     *     time is up without one
     * @throws InterruptedException when {@link #close()} was called before or during the wait
     */
    boolean await(long maxNanos) throws InterruptedException;

    /** Ends a wait in progress (it throws {@link InterruptedException}) and releases the watch; idempotent. */
    @Override
    void close();

    /**
     * Watches {@code directory} with the first implementation available here.
     *
     * @throws IOException when the directory cannot be watched at all (the caller polls instead)
     * @throws UnsupportedOperationException when its file system has no events
     */
    static DirectoryEvents open(Path directory) throws IOException {
        return open(directory, true);
    }

    /** As {@link #open(Path)}; with {@code nativeAllowed} false, always the {@code WatchService} (for tests). */
    static DirectoryEvents open(Path directory, boolean nativeAllowed) throws IOException {
        if (nativeAllowed && Inotify.OPEN != null) {
            try {
                DirectoryEvents events = (DirectoryEvents) Inotify.OPEN.invokeExact(directory);
                if (events != null) {
                    return events;
                }
            } catch (IOException | RuntimeException e) {
                System.getLogger(SnapshotManager.class.getName())
                        .log(
                                System.Logger.Level.DEBUG,
                                "inotify unavailable for " + directory + " (" + e + "); using the WatchService",
                                e);
            } catch (Throwable e) {
                throw new LinkageError("InotifyEvents.open failed", e);
            }
        }
        return WatchServiceEvents.open(directory);
    }

    /** Looked up on the first watch, never on the start-up path of a service that reads a snapshot. */
    final class Inotify {
        /** {@code InotifyEvents.open(Path)}, returning null when not allowed here; null where not used. */
        static final MethodHandle OPEN = find();

        private Inotify() {}

        private static MethodHandle find() {
            if (Runtime.version().feature() < 22 || !"Linux".equals(System.getProperty("os.name"))) {
                return null;
            }
            Class<?> type;
            try {
                type = Class.forName(
                        "dev.warmstart.snapshot.store.InotifyEvents", false, DirectoryEvents.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                return null; // a jar built without a JDK 22+: the WatchService, as on Java 17
            }
            try {
                return MethodHandles.lookup()
                        .findStatic(type, "open", MethodType.methodType(DirectoryEvents.class, Path.class));
            } catch (ReflectiveOperationException e) {
                throw new LinkageError("the loader jar's InotifyEvents has no open(Path)", e);
            }
        }
    }
}
