package dev.warmstart.snapshot.store;

/**
 * What the service knows about a request, for routing it to a snapshot. Every field may be null.
 *
 * @param pinnedVersion a snapshot id the request asks for explicitly (e.g. from an {@code X-Snapshot-Version}
 *     header); honoured when that snapshot is served and pinnable, otherwise ignored
 * @param userId the user, matched against canary allowlists and used as routing key when {@code routingKey} is null
 * @param tenantId the tenant, matched against canary allowlists and used as routing key when both others are null
 * @param routingKey the key whose hash decides percentage routing (the same key always lands on the same side)
 */
public record RequestContext(String pinnedVersion, String userId, String tenantId, String routingKey) {
    /** A request with nothing to route on: it gets the stable snapshot. */
    public static final RequestContext ANONYMOUS = new RequestContext(null, null, null, null);

    /** @return a request routed by user id */
    public static RequestContext forUser(String userId) {
        return new RequestContext(null, userId, null, null);
    }

    /** @return this request pinned to a snapshot id */
    public RequestContext pinnedTo(String snapshotId) {
        return new RequestContext(snapshotId, userId, tenantId, routingKey);
    }

    /** @return the key percentage routing hashes: routing key, else user, else tenant, else null */
    public String effectiveKey() {
        return routingKey != null ? routingKey : userId != null ? userId : tenantId;
    }
}
