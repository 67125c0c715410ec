package dev.warmstart.snapshot.plugin.input;

import java.util.List;
import java.util.stream.Collectors;

/** The inputs have errors; every one of them is listed. */
public class InputProblemsException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    /** @param problems the errors (not empty) */
    public InputProblemsException(List<Problem> problems) {
        super(problems.size() + " problem(s) in the snapshot inputs:\n"
                + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** @return every error found */
    public List<Problem> problems() {
        return problems;
    }
}
