package dev.warmstart.snapshot.spring;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Up while the starter serves a snapshot: every snapshot was fully verified before it could serve, so the
 * serving state is sound by construction. A failed switch does not make the application down (the previous
 * snapshot keeps serving) but shows as the detail {@code lastFailure}; neither does a remote store's server being
 * unreachable (the cached snapshots keep serving): the detail {@code store} then says {@code serving from cache,
 * server unreachable}. Down once closed.
 */
public class SnapshotHealthIndicator extends AbstractHealthIndicator {
    private final ServingSnapshots serving;

    /** @param serving what is served */
    public SnapshotHealthIndicator(ServingSnapshots serving) {
        super("Warmstart snapshot health check failed");
        this.serving = serving;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (serving.isClosed()) {
            builder.down().withDetail("location", serving.location()).withDetail("reason", "closed");
            return;
        }
        builder.up()
                .withDetail("location", serving.location())
                .withDetail("kind", serving.kind().name().toLowerCase(java.util.Locale.ROOT))
                .withDetail("channels", serving.channels())
                .withDetail("verified", true);
        serving.manager().ifPresent(m -> builder.withDetail("revision", m.revision()));
        if (serving.kind() == ServingSnapshots.Kind.REMOTE) {
            // still UP: verified snapshots keep serving; the detail tells operators the fleet may lag behind
            builder.withDetail(
                    "store", serving.servingFromCache() ? "serving from cache, server unreachable" : "reachable");
        }
        serving.lastFailure()
                .ifPresent(f -> builder.withDetail("lastFailure", f.what()).withDetail("lastFailureAt", f.at()));
    }
}
