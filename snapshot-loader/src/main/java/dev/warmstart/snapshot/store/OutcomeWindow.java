package dev.warmstart.snapshot.store;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Successes and failures over a sliding window, in {@value #SLOTS} time slots. Lock-free: a slot is reset by
 * the first writer that finds it holding an older slot's counts. Counts are exact within a slot and the window
 * slides one slot at a time.
 */
final class OutcomeWindow {
    static final int SLOTS = 60;
    private final Clock clock;
    private final long slotMillis;
    /** Per slot: [epoch slot number, successes, failures]. */
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS * 3);

    OutcomeWindow(Duration window, Clock clock) {
        this.clock = clock;
        this.slotMillis = Math.max(1, window.toMillis() / SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            slots.set(i * 3, -1);
        }
    }

    void record(boolean success) {
        long epoch = clock.millis() / slotMillis;
        int i = (int) (epoch % SLOTS) * 3;
        long seen = slots.get(i);
        if (seen != epoch && slots.compareAndSet(i, seen, epoch)) {
            slots.set(i + 1, 0);
            slots.set(i + 2, 0);
        }
        slots.incrementAndGet(i + (success ? 1 : 2));
    }

    /** @return {successes, failures} within the window */
    long[] totals() {
        long now = clock.millis() / slotMillis;
        long ok = 0;
        long failed = 0;
        for (int s = 0; s < SLOTS; s++) {
            long epoch = slots.get(s * 3);
            if (epoch >= 0 && now - epoch < SLOTS) {
                ok += slots.get(s * 3 + 1);
                failed += slots.get(s * 3 + 2);
            }
        }
        return new long[] {ok, failed};
    }
}
