package dev.warmstart.snapshot.loader;

/** How long {@code bench/fuzz.sh} fuzzes each target (JAZZER_FUZZ=1); ignored when inputs are only replayed. */
final class FuzzBudget {
    static final String PER_TARGET = "10m";

    private FuzzBudget() {}
}
