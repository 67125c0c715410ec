package dev.warmstart.snapshot.spring;

import java.util.Optional;

/**
 * The selection bound to the current thread by a web filter (or by application code around a unit of work), so
 * that {@link Prompts} serves the snapshot chosen for the request being handled.
 */
public final class CurrentSelection {
    private static final ThreadLocal<SnapshotSelection> CURRENT = new ThreadLocal<>();

    private CurrentSelection() {}

    /** @return the selection bound to this thread, if any */
    public static Optional<SnapshotSelection> get() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Binds {@code selection} to this thread until the returned scope is closed, which restores what was bound
     * before.
     */
    public static Scope bind(SnapshotSelection selection) {
        SnapshotSelection previous = CURRENT.get();
        CURRENT.set(selection);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Sets or (with null) clears this thread's selection; for context propagation, which restores it itself. */
    static void set(SnapshotSelection selection) {
        if (selection == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(selection);
        }
    }

    /** Undoes a {@link #bind}. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
