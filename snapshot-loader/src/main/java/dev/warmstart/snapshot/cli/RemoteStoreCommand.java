package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.RemoteStoreWriter;
import dev.warmstart.snapshot.store.SnapshotRecord;
import dev.warmstart.snapshot.store.StorePrune;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.store.StoreReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code store <operation> URL ...}: every store operation on a remote store. Changes go through
 * {@link RemoteStoreWriter#apply}: under the server's WebDAV lock, or with conditional PUT, retried when another
 * writer got there first; {@code --force} writes to a server that offers neither.
 */
final class RemoteStoreCommand {
    private RemoteStoreCommand() {}

    static int run(PrintStream out, String operation, String url, List<String> args, TrustPolicy trust)
            throws IOException {
        boolean force = args.remove("--force");
        HttpStoreSettings settings = HttpStoreSettings.fromEnvironment(System.getenv());
        URI uri = URI.create(url);
        switch (operation) {
            case "status" -> {
                none(args, "store status URL");
                StoreReport.status(RemoteStoreWriter.readRegistry(uri, settings))
                        .forEach(out::println);
                return SnapshotCli.OK;
            }
            case "history" -> {
                none(args, "store history URL");
                StoreReport.history(RemoteStoreWriter.readHistory(uri, settings))
                        .forEach(out::println);
                return SnapshotCli.OK;
            }
            case "prune" -> {
                return prune(out, uri, settings, force, args);
            }
            case "restore" -> {
                if (args.size() != 1) {
                    throw new UsageException("usage: store restore URL REVISION");
                }
                long revision = revision(args.get(0));
                return change(out, uri, settings, force, List.of(), false, w -> {
                    StoreRegistry old = w.mirrorHistory(revision);
                    List<String> ids = new ArrayList<>();
                    if (old.stable() != null) {
                        ids.add(old.stable());
                    }
                    old.canaries().forEach(c -> ids.add(c.snapshotId()));
                    w.mirrorSnapshots(old, ids);
                    return report(w, trust, operation, args, url);
                });
            }
            case "publish", "promote", "remove-canary", "rollback" -> {
                List<String> ids = operation.equals("publish") ? List.of() : List.copyOf(args);
                boolean previous = operation.equals("rollback") && args.isEmpty();
                return change(out, uri, settings, force, ids, previous, w -> report(w, trust, operation, args, url));
            }
            default -> throw new UsageException("unknown store operation '" + operation + "'");
        }
    }

    private static int change(
            PrintStream out,
            URI uri,
            HttpStoreSettings settings,
            boolean force,
            List<String> ids,
            boolean previous,
            RemoteStoreWriter.Change<String> change)
            throws IOException {
        RemoteStoreWriter[] last = new RemoteStoreWriter[1];
        String report = RemoteStoreWriter.apply(uri, settings, force, ids, previous, w -> {
            last[0] = w;
            return change.apply(w);
        });
        out.print(report);
        out.println("written to " + uri + " " + how(last[0].guarding()));
        return SnapshotCli.OK;
    }

    private static String how(RemoteStoreWriter.Guarding guarding) {
        return switch (guarding) {
            case LOCK -> "under a WebDAV LOCK";
            case CONDITIONAL_PUT -> "with a conditional PUT (If-Match)";
            case FORCED -> "without a guard against concurrent writers (--force)";
        };
    }

    /** Runs the local operation on the writer's mirror; its report names the URL, not the temporary mirror. */
    private static String report(
            RemoteStoreWriter w, TrustPolicy trust, String operation, List<String> args, String url)
            throws IOException {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        new StoreCommand(new PrintStream(report, true, StandardCharsets.UTF_8))
                .apply(operation, w.store().withTrust(trust), new ArrayList<>(args));
        return report.toString(StandardCharsets.UTF_8)
                .replace(w.store().directory().toString(), url);
    }

    private static int prune(PrintStream out, URI uri, HttpStoreSettings settings, boolean force, List<String> args)
            throws IOException {
        int[] keep = StorePullCommand.pruneOptions(args);
        RemoteStoreWriter[] last = new RemoteStoreWriter[1];
        String report = RemoteStoreWriter.apply(uri, settings, force, List.of(), false, w -> {
            last[0] = w;
            StoreRegistry before = w.store().registry();
            StorePrune.Result r = StorePrune.prune(w.store(), keep[0], -1);
            for (String id : r.removedSnapshots()) {
                SnapshotRecord record = before.snapshot(id).orElseThrow();
                w.deleteAfterCommit(record.file());
            }
            w.keepHistory(keep[1]);
            return "removed snapshots " + r.removedSnapshots() + "; revision "
                    + r.registry().revision();
        });
        out.println("pruned " + uri + ": " + report + "; " + last[0].removedHistoryFiles() + " history files removed");
        return SnapshotCli.OK;
    }

    private static long revision(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("REVISION must be a number, not '" + text + "'", e);
        }
    }

    private static void none(List<String> args, String usage) {
        if (!args.isEmpty()) {
            throw new UsageException("usage: " + usage);
        }
    }
}
