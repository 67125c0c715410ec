package dev.warmstart.snapshot.store;

/**
 * A canary channel.
 *
 * @param name the channel's name ({@code canary}, {@code canary-b}...)
 * @param snapshotId the snapshot it serves
 * @param rule which requests it gets
 * @param guard when it is rolled back by itself
 * @param firstBucket where its bucket range starts; fixed for the canary's life so that growing its percentage
 *     only adds keys (see {@link Routing})
 * @param direction +1 when the range grows upwards from {@code firstBucket}, -1 when downwards
 */
public record Canary(String name, String snapshotId, CanaryRule rule, Guard guard, int firstBucket, int direction) {

    /** @return whether {@code bucket} falls in this canary's range */
    public boolean covers(int bucket) {
        int size = rule.buckets();
        if (direction > 0) {
            return bucket >= firstBucket && bucket < firstBucket + size;
        }
        return bucket <= firstBucket && bucket > firstBucket - size;
    }

    /** @return the lowest bucket of the range (inclusive) */
    int low() {
        return direction > 0 ? firstBucket : firstBucket - rule.buckets() + 1;
    }

    /** @return one past the highest bucket of the range */
    int high() {
        return direction > 0 ? firstBucket + rule.buckets() : firstBucket + 1;
    }
}
