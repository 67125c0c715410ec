package dev.warmstart.snapshot.store;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@link DirectoryEvents} from Linux's inotify, read on the waiting thread itself through the FFM API: compiled for
 * Java 22 from {@code src/main/java22} into the same jar and package as the Java 17 code, and chosen by
 * {@link DirectoryEvents#open(Path)} at run time (no multi-release jar: see {@code FileMapping}). Nothing else names
 * this class.
 *
 * <p>The JDK's {@code WatchService} reads inotify on a poller thread of its own, which then wakes the thread waiting
 * for a key: a registry change costs two thread wake-ups, and on a machine whose cores are all busy each can wait for
 * a time slice. Here the waiting thread blocks in {@code poll(2)} on the inotify descriptor and an {@code eventfd},
 * so the rename wakes it directly; {@link #close()} writes the eventfd to end a wait in progress.
 *
 * <p>Used only when the loader may call native code ({@code --enable-native-access=ALL-UNNAMED}, or the loader's
 * module name on the module path): without it, the JDK would print a warning about a restricted method on the
 * service's console, so {@link #open(Path)} declines instead and the {@code WatchService} is used.
 */
final class InotifyEvents implements DirectoryEvents {
    // <sys/inotify.h>, <sys/eventfd.h>, <poll.h>, <errno.h> on Linux (the same on every architecture Java runs on)
    private static final int IN_MODIFY = 0x2;
    private static final int IN_ATTRIB = 0x4;
    private static final int IN_MOVED_TO = 0x80;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE_SELF = 0x400;
    private static final int IN_MOVE_SELF = 0x800;
    private static final int IN_Q_OVERFLOW = 0x4000;
    private static final int IN_IGNORED = 0x8000;
    private static final int IN_ONLYDIR = 0x01000000;
    /** IN_NONBLOCK | IN_CLOEXEC, equal to EFD_NONBLOCK | EFD_CLOEXEC. */
    private static final int NONBLOCK_CLOEXEC = 0x800 | 0x80000;
    /** What the JDK's WatchService registers for ENTRY_CREATE and ENTRY_MODIFY, and the directory going away. */
    private static final int MASK =
            IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    /** struct inotify_event without its name: wd, mask, cookie, len. */
    private static final int EVENT_HEADER = 16;
    /** Room for at least one event with the longest name (NAME_MAX 255 and its NUL), and a burst of short ones. */
    private static final int BUFFER = 4096;

    /** The native functions, bound on the first watch. */
    private static final class Libc {
        static final Linker LINKER = Linker.nativeLinker();
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final long ERRNO = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle INOTIFY_INIT1 = bind("inotify_init1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle INOTIFY_ADD_WATCH =
                bind("inotify_add_watch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        /** Every call records errno in a capture segment passed first. */
        private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
            MemorySegment symbol = LINKER.defaultLookup()
                    .find(name)
                    .orElseThrow(() -> new UnsupportedOperationException("no " + name + " in the C library"));
            return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
        }
    }

    private final Path directory;
    private final int inotify;
    private final int wakeUp;
    /** Two struct pollfd: the eventfd first, then inotify (left out once the watch is gone). */
    private final MemorySegment pollFds;

    private final MemorySegment buffer;
    private final MemorySegment errno;
    // under this object's monitor
    private boolean waiting;
    private boolean closed;
    private boolean released;
    /** The directory was removed or moved (IN_IGNORED): only the poll interval and close end a wait now. */
    private boolean watchGone;

    private InotifyEvents(Path directory, int inotify, int wakeUp, Arena arena) {
        this.directory = directory;
        this.inotify = inotify;
        this.wakeUp = wakeUp;
        this.pollFds = arena.allocate(16, 8);
        this.buffer = arena.allocate(BUFFER, 8);
        this.errno = arena.allocate(Libc.CAPTURE);
        pollFds.set(JAVA_INT, 0, wakeUp);
        pollFds.set(JAVA_SHORT, 4, POLLIN);
        pollFds.set(JAVA_INT, 8, inotify);
        pollFds.set(JAVA_SHORT, 12, POLLIN);
    }

    /**
     * Called through a method handle by {@link DirectoryEvents#open(Path)}.
     *
     * @return the watch, or null when the loader may not call native code here (the caller uses the WatchService)
     * @throws IOException when inotify refuses (no such directory, the watch limit reached)
     */
    static DirectoryEvents open(Path directory) throws IOException {
        if (!InotifyEvents.class.getModule().isNativeAccessEnabled()) {
            return null;
        }
        Arena arena = Arena.ofAuto(); // the buffers live as long as this object; any thread may use them
        MemorySegment errno = arena.allocate(Libc.CAPTURE);
        int inotify = -1;
        int wakeUp = -1;
        try {
            inotify = (int) Libc.INOTIFY_INIT1.invokeExact(errno, NONBLOCK_CLOEXEC);
            if (inotify < 0) {
                throw new IOException("inotify_init1 failed, errno " + errno.get(JAVA_INT, Libc.ERRNO));
            }
            MemorySegment path = arena.allocateFrom(directory.toAbsolutePath().toString(), StandardCharsets.UTF_8);
            int watch = (int) Libc.INOTIFY_ADD_WATCH.invokeExact(errno, inotify, path, MASK);
            if (watch < 0) {
                throw new IOException(
                        "inotify_add_watch " + directory + " failed, errno " + errno.get(JAVA_INT, Libc.ERRNO));
            }
            wakeUp = (int) Libc.EVENTFD.invokeExact(errno, 0, NONBLOCK_CLOEXEC);
            if (wakeUp < 0) {
                throw new IOException("eventfd failed, errno " + errno.get(JAVA_INT, Libc.ERRNO));
            }
            return new InotifyEvents(directory, inotify, wakeUp, arena);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(inotify, errno);
            closeQuietly(wakeUp, errno);
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a downcall threw a checked exception", e);
        }
    }

    @Override
    public boolean await(long maxNanos) throws InterruptedException {
        synchronized (this) {
            if (closed) {
                throw closedException();
            }
            waiting = true;
        }
        try {
            long deadline = System.nanoTime() + maxNanos;
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                int millis = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
                pollFds.set(JAVA_SHORT, 6, (short) 0);
                pollFds.set(JAVA_SHORT, 14, (short) 0);
                int ready = poll(watchGone ? 1 : 2, millis);
                if (closedNow()) {
                    throw closedException();
                }
                if (ready < 0) {
                    int error = errno.get(JAVA_INT, Libc.ERRNO);
                    if (error == EINTR) {
                        continue;
                    }
                    // Cannot happen with two valid descriptors; never end the watcher over it: wait out the poll.
                    System.getLogger(SnapshotManager.class.getName())
                            .log(
                                    System.Logger.Level.WARNING,
                                    "poll on the inotify watch of " + directory + " failed, errno " + error
                                            + "; the registry is read every poll interval");
                    watchGone = true;
                    Thread.sleep(Math.max(1, millis));
                    return false;
                }
                if (ready > 0 && pollFds.get(JAVA_SHORT, 14) != 0 && drain()) {
                    return true;
                }
            }
        } finally {
            synchronized (this) {
                waiting = false;
                if (closed) {
                    release();
                }
            }
        }
    }

    /**
     * Reads every queued event.
     *
     * @return whether one of them may mean a new registry
     */
    private boolean drain() {
        boolean registry = false;
        while (true) {
            long n = read();
            if (n <= 0) {
                return registry; // EAGAIN: nothing more queued (a non-blocking descriptor)
            }
            for (long at = 0; at + EVENT_HEADER <= n; ) {
                int mask = buffer.get(JAVA_INT, at + 4);
                int length = buffer.get(JAVA_INT, at + 12);
                if ((mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
                    watchGone = true; // the refresh that follows says what is wrong with the store
                    registry = true;
                } else if ((mask & IN_Q_OVERFLOW) != 0 || length == 0) {
                    registry = true; // events lost, or one without a name
                } else if (!registry
                        && DirectoryRevisionSource.concernsRegistry(Path.of(name(at + EVENT_HEADER, length)))) {
                    registry = true;
                }
                at += EVENT_HEADER + length;
            }
        }
    }

    /** The NUL-padded name of an event. */
    private String name(long offset, int length) {
        int end = 0;
        while (end < length && buffer.get(JAVA_BYTE, offset + end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end];
        MemorySegment.copy(buffer, JAVA_BYTE, offset, bytes, 0, end);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (!waiting) {
                release();
                return;
            }
            // The waiting thread releases the descriptors once it has left poll: closing them under it could hand
            // their numbers to another file while it still polls them.
            MemorySegment one = Arena.ofAuto().allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            try {
                long written = (long) Libc.WRITE.invokeExact(Arena.ofAuto().allocate(Libc.CAPTURE), wakeUp, one, 8L);
                if (written != 8L) {
                    throw new IllegalStateException("cannot wake the watcher of " + directory);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new AssertionError("a downcall threw a checked exception", e);
            }
        }
    }

    private synchronized boolean closedNow() {
        return closed;
    }

    private InterruptedException closedException() {
        return new InterruptedException("the inotify watch of " + directory + " is closed");
    }

    /** Closes both descriptors once; under the monitor, when no thread polls them. */
    private void release() {
        if (!released) {
            released = true;
            MemorySegment state = Arena.ofAuto().allocate(Libc.CAPTURE);
            closeQuietly(inotify, state);
            closeQuietly(wakeUp, state);
        }
    }

    private int poll(int count, int millis) {
        try {
            return (int) Libc.POLL.invokeExact(errno, pollFds, (long) count, millis);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a downcall threw a checked exception", e);
        }
    }

    private long read() {
        try {
            long n = (long) Libc.READ.invokeExact(errno, inotify, buffer, (long) BUFFER);
            if (n < 0 && errno.get(JAVA_INT, Libc.ERRNO) != EAGAIN && errno.get(JAVA_INT, Libc.ERRNO) != EINTR) {
                watchGone = true; // cannot read the descriptor any more: poll only for close
            }
            return n;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a downcall threw a checked exception", e);
        }
    }

    private static void closeQuietly(int fd, MemorySegment errno) {
        if (fd >= 0) {
            try {
                int ignored = (int) Libc.CLOSE.invokeExact(errno, fd);
            } catch (Throwable e) {
                // nothing to do about a descriptor that will not close
            }
        }
    }
}
