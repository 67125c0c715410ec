package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.store.CanaryRule;
import dev.warmstart.snapshot.store.Guard;
import dev.warmstart.snapshot.store.SnapshotRecord;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StoreRegistry;
import dev.warmstart.snapshot.store.StoreReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/** {@code store <operation> DIR ...}: the store operations for machines without Maven. */
final class StoreCommand {
    static final String USAGE = String.join(
            "\n",
            "  store publish DIR FILE           verify a snapshot, copy it into the store and register it",
            "  store promote DIR ID [--canary NAME --percent P [--allow ID,ID] [--no-pin]]",
            "                [--failure-rate PCT --window 5m --min-requests N | --no-guard]",
            "                                   make ID stable (default) or a canary; refused if ID fails verify",
            "  store remove-canary DIR NAME     stop a canary",
            "  store rollback DIR [ID]          stable back to the previous stable, or to ID",
            "  store status DIR                 channels and every snapshot's status",
            "  store history DIR                every revision of the registry",
            "  store restore DIR REVISION       make an earlier revision current again",
            "  store prune DIR [--keep N] [--keep-history N]",
            "                                   remove snapshots not serving, not within reach of rollback and",
            "                                   not among the N newest; history files beyond the N newest",
            "  DIR may be an http(s):// URL for every operation but pull: a change is made under the server's",
            "  WebDAV LOCK or with conditional PUT (If-Match), and tried again when another writer got there",
            "  first; a server that offers neither is refused unless --force is given",
            "  store pull URL DIR               copy a remote store's current registry and the snapshots it serves",
            "                                   into DIR, verified (credentials: WARMSTART_STORE_TOKEN, ...)",
            "  store ... --trust KEY.pub.pem    publish and promote only snapshots signed by these keys");

    private final PrintStream out;

    StoreCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) throws IOException {
        if (args.size() < 2) {
            throw new UsageException(
                    "usage: store publish|promote|remove-canary|rollback|status|history|restore DIR ... | pull URL DIR");
        }
        TrustPolicy trust = TrustOptions.take(args); // trust: any store operation may name trusted keys
        String operation = args.remove(0);
        if (operation.equals("pull")) {
            return StorePullCommand.run(out, args);
        }
        String target = args.remove(0);
        if (target.startsWith("http://") || target.startsWith("https://")) {
            return RemoteStoreCommand.run(out, operation, target, args, trust);
        }
        Path dir = Path.of(target);
        if (!operation.equals("publish") && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no store at " + dir + "; publish a snapshot into it first");
        }
        return apply(operation, SnapshotStore.open(dir).withTrust(trust), args);
    }

    /** Runs {@code operation} on {@code store} (a store directory, or the mirror of a remote store). */
    int apply(String operation, SnapshotStore store, List<String> args) throws IOException {
        switch (operation) {
            case "publish" -> {
                SnapshotRecord r = store.publish(Path.of(one(args, "store publish DIR FILE")));
                out.println("published " + r.id() + " (" + r.size() + " bytes) to " + store.directory());
            }
            case "promote" -> promote(store, args);
            case "remove-canary" -> print(store.removeCanary(one(args, "store remove-canary DIR NAME")));
            case "rollback" -> {
                if (args.size() > 1) {
                    throw new UsageException("usage: store rollback DIR [ID]");
                }
                print(args.isEmpty() ? store.rollback() : store.rollbackTo(args.get(0)));
            }
            case "status" -> {
                none(args, "store status DIR");
                StoreReport.status(store.registry()).forEach(out::println);
            }
            case "history" -> {
                none(args, "store history DIR");
                StoreReport.history(store.history()).forEach(out::println);
            }
            case "restore" -> {
                String revision = one(args, "store restore DIR REVISION");
                long n;
                try {
                    n = Long.parseLong(revision);
                } catch (NumberFormatException e) {
                    throw new UsageException("REVISION must be a number, not '" + revision + "'", e);
                }
                print(store.restore(n));
            }
            case "prune" -> StorePullCommand.prune(out, store, args);
            default -> throw new UsageException("unknown store operation '" + operation + "'");
        }
        return SnapshotCli.OK;
    }

    private void promote(SnapshotStore store, List<String> args) throws IOException {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new UsageException("usage: store promote DIR ID [options]");
        }
        String id = args.remove(0);
        String canary = null;
        Double percent = null;
        List<String> allow = new ArrayList<>();
        boolean pinnable = true;
        boolean guarded = true;
        double failureRate = Guard.DEFAULT.maxFailureRate() * 100;
        String window = Guard.DEFAULT.window().toString();
        long minRequests = Guard.DEFAULT.minRequests();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            switch (option) {
                case "--no-pin" -> pinnable = false;
                case "--no-guard" -> guarded = false;
                case "--canary" -> canary = value(args, ++i, option);
                case "--percent" -> percent = number(value(args, ++i, option), option);
                case "--allow" ->
                    allow.addAll(Arrays.asList(value(args, ++i, option).split(",")));
                case "--failure-rate" -> failureRate = number(value(args, ++i, option), option);
                case "--window" -> window = value(args, ++i, option);
                case "--min-requests" -> minRequests = (long) number(value(args, ++i, option), option);
                default -> throw new UsageException("unknown option '" + option + "' for store promote");
            }
        }
        Guard guard = guarded ? Guard.of(failureRate, window, minRequests) : null;
        if (canary == null) {
            if (percent != null || !allow.isEmpty()) {
                throw new UsageException("--percent and --allow need --canary NAME");
            }
            print(store.promoteStable(id, guard));
        } else {
            CanaryRule rule = new CanaryRule(percent == null ? 0 : percent, new LinkedHashSet<>(allow), pinnable);
            print(store.promoteCanary(canary, id, rule, guard));
        }
    }

    private void print(StoreRegistry registry) {
        out.println("revision " + registry.revision() + ": " + registry.change());
        StoreReport.status(registry).stream().skip(1).forEach(out::println);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    private static double number(String text, String option) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, not '" + text + "'", e);
        }
    }

    private static String one(List<String> args, String usage) {
        if (args.size() != 1) {
            throw new UsageException("usage: " + usage);
        }
        return args.get(0);
    }

    private static void none(List<String> args, String usage) {
        if (!args.isEmpty()) {
            throw new UsageException("usage: " + usage);
        }
    }
}
