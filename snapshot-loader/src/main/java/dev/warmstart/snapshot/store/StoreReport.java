package dev.warmstart.snapshot.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human-readable views of a store, shared by the loader CLI and the Maven goals. */
public final class StoreReport {
    private StoreReport() {}

    /** @return the channels and every snapshot with its status, one line each */
    public static List<String> status(StoreRegistry r) {
        List<String> lines = new ArrayList<>();
        lines.add("revision " + r.revision()
                + (r.updated().isEmpty() ? "" : " (" + r.updated() + ": " + r.change() + ")"));
        lines.add("stable: " + (r.stable() == null ? "(none)" : r.stable())
                + (r.stableGuard() == null ? "" : "  guard " + r.stableGuard().describe()));
        if (!r.previousStable().isEmpty()) {
            lines.add("previous stable: " + String.join(", ", r.previousStable()));
        }
        for (Canary c : r.canaries()) {
            CanaryRule rule = c.rule();
            lines.add("canary '" + c.name() + "': " + c.snapshotId() + " at " + rule.percent() + "%"
                    + (rule.allowlist().isEmpty() ? "" : ", allowlist " + String.join(",", rule.allowlist()))
                    + (rule.pinnable() ? "" : ", not pinnable")
                    + (c.guard() == null ? "" : "  guard " + c.guard().describe()));
        }
        lines.add("snapshots:");
        for (SnapshotRecord s : r.snapshots()) {
            lines.add(String.format(
                    Locale.ROOT,
                    "  %-32s %-11s %10d bytes  %s%s",
                    s.id(),
                    s.status(),
                    s.size(),
                    s.file(),
                    s.reason().isEmpty() ? "" : "  (" + s.reason() + ")"));
        }
        return lines;
    }

    /** @return one line per revision, oldest first */
    public static List<String> history(List<StoreRegistry> revisions) {
        List<String> lines = new ArrayList<>();
        for (StoreRegistry r : revisions) {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%5d  %s  %s", r.revision(), r.updated(), r.change()));
            b.append("  [stable ").append(r.stable() == null ? "-" : r.stable());
            for (Canary c : r.canaries()) {
                b.append(", ")
                        .append(c.name())
                        .append(' ')
                        .append(c.snapshotId())
                        .append(' ')
                        .append(c.rule().percent())
                        .append('%');
            }
            lines.add(b.append(']').toString());
        }
        return lines;
    }
}
