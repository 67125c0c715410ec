package dev.warmstart.snapshot.plugin.input;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of a run, so all are reported together rather than only the first. Not thread-safe: work
 * on several threads {@link #fork()}s one per file and adds them back in file order, so the report's order never
 * depends on the threads.
 */
public final class Problems {
    private final List<Problem> all = new ArrayList<>();
    private final Path displayBase;

    /** @param displayBase problems show file paths relative to it (usually the project directory); may be null */
    public Problems(Path displayBase) {
        this.displayBase = displayBase;
    }

    /** Records an error. */
    public void error(Path file, int line, int column, String message) {
        all.add(new Problem(Problem.Severity.ERROR, display(file), line, column, message));
    }

    /** Records a warning. */
    public void warning(Path file, int line, int column, String message) {
        all.add(new Problem(Problem.Severity.WARNING, display(file), line, column, message));
    }

    /** @return an empty collection showing paths the same way: one file's problems, found on another thread */
    Problems fork() {
        return new Problems(displayBase);
    }

    /** Appends {@code other}'s problems after these, in their order. */
    void addAll(Problems other) {
        all.addAll(other.all);
    }

    /** @return the errors, in the order found */
    public List<Problem> errors() {
        return all.stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
    }

    /** @return the warnings, in the order found */
    public List<Problem> warnings() {
        return all.stream()
                .filter(p -> p.severity() == Problem.Severity.WARNING)
                .toList();
    }

    /** @return whether any error was recorded */
    public boolean hasErrors() {
        return all.stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR);
    }

    /** @return {@code file} as problems show it: relative to the project directory when inside it */
    public Path display(Path file) {
        if (file == null || displayBase == null) {
            return file;
        }
        Path absolute = file.toAbsolutePath().normalize();
        Path base = displayBase.toAbsolutePath().normalize();
        return absolute.startsWith(base) ? base.relativize(absolute) : file;
    }
}
