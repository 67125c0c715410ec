package dev.warmstart.snapshot.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters and timers of a {@link SnapshotManager}, readable from plain Java (and JMX). Thread-safe. */
public final class ManagerMetrics {
    private final Map<String, LongAdder> selectionsByChannel = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> successesBySnapshot = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failuresBySnapshot = new ConcurrentHashMap<>();
    private final LongAdder selections = new LongAdder();
    private final LongAdder switches = new LongAdder();
    private final LongAdder failedSwitches = new LongAdder();
    private final LongAdder rollbacks = new LongAdder();
    private final AtomicLong lastSwitchNanos = new AtomicLong();
    private final AtomicLong maxSwitchNanos = new AtomicLong();
    private final AtomicLong lastVerifyNanos = new AtomicLong();
    private final AtomicLong verifications = new AtomicLong();
    private final LongAdder remotePolls = new LongAdder();
    private final LongAdder notModifiedPolls = new LongAdder();
    private volatile boolean servingFromCache;

    void selected(String channel) {
        selections.increment();
        selectionsByChannel.computeIfAbsent(channel, c -> new LongAdder()).increment();
    }

    void outcome(String snapshotId, boolean success) {
        (success ? successesBySnapshot : failuresBySnapshot)
                .computeIfAbsent(snapshotId, c -> new LongAdder())
                .increment();
    }

    void switched(long nanos) {
        switches.increment();
        lastSwitchNanos.set(nanos);
        maxSwitchNanos.accumulateAndGet(nanos, Math::max);
    }

    void switchFailed() {
        failedSwitches.increment();
    }

    void rolledBack() {
        rollbacks.increment();
    }

    void verified(long nanos) {
        verifications.incrementAndGet();
        lastVerifyNanos.set(nanos);
    }

    void polled(boolean notModified) {
        remotePolls.increment();
        if (notModified) {
            notModifiedPolls.increment();
        }
    }

    void storeUnreachable(boolean unreachable) {
        servingFromCache = unreachable;
    }

    /**
     * @return whether a remote store is unreachable (or refuses) and the manager serves what its cache holds; false
     *     for a store directory
     */
    public boolean servingFromCache() {
        return servingFromCache;
    }

    /** @return polls of a remote store's registry that got an answer */
    public long remotePolls() {
        return remotePolls.sum();
    }

    /** @return polls of a remote store's registry answered 304 Not Modified */
    public long notModifiedPolls() {
        return notModifiedPolls.sum();
    }

    /** @return requests routed */
    public long selections() {
        return selections.sum();
    }

    /** @return requests routed, per channel ({@code stable}, canary names, {@code pinned}) */
    public Map<String, Long> selectionsByChannel() {
        return snapshot(selectionsByChannel);
    }

    /** @return successes recorded, per snapshot id */
    public Map<String, Long> successesBySnapshot() {
        return snapshot(successesBySnapshot);
    }

    /** @return failures recorded, per snapshot id */
    public Map<String, Long> failuresBySnapshot() {
        return snapshot(failuresBySnapshot);
    }

    /** @return routing states applied */
    public long switches() {
        return switches.sum();
    }

    /** @return registry changes that could not be applied */
    public long failedSwitches() {
        return failedSwitches.sum();
    }

    /** @return automatic rollbacks */
    public long rollbacks() {
        return rollbacks.sum();
    }

    /** @return duration of the last switch (map or reuse, verify what was not verified ahead, swap), nanoseconds */
    public long lastSwitchNanos() {
        return lastSwitchNanos.get();
    }

    /** @return the longest switch, nanoseconds */
    public long maxSwitchNanos() {
        return maxSwitchNanos.get();
    }

    /**
     * @return how many full verifications (SHA-256 of every entry) this manager ran, in the background, on a
     *     switch, or in a remote store's cache before a download got its name
     */
    public long verifications() {
        return verifications.get();
    }

    /** @return the time the last full verification took, nanoseconds */
    public long lastVerifyNanos() {
        return lastVerifyNanos.get();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
