package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.SnapshotStore;
import dev.warmstart.snapshot.store.StorePrune;
import dev.warmstart.snapshot.store.StorePull;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The store's retention and distribution operations: {@code store pull URL DIR}, a verified one-shot copy of a
 * remote store ({@link StorePull}), and {@code store prune DIR} ({@link StorePrune}).
 */
final class StorePullCommand {
    private StorePullCommand() {}

    static int run(PrintStream out, List<String> args) throws IOException {
        if (args.size() != 2) {
            throw new UsageException("usage: store pull URL DIR");
        }
        URI url;
        try {
            url = new URI(args.get(0));
        } catch (URISyntaxException e) {
            throw new UsageException("URL '" + args.get(0) + "' is not a URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UsageException("URL must be http:// or https://, not '" + args.get(0) + "'");
        }
        Path dir = Path.of(args.get(1));
        StorePull.Result r = StorePull.pull(url, dir, HttpStoreSettings.fromEnvironment(System.getenv()));
        out.println("pulled revision " + r.registry().revision() + " of " + url + " into " + dir + ": stable "
                + r.registry().stable() + "; downloaded " + r.downloaded() + ", already present " + r.kept()
                + (r.skipped().isEmpty() ? "" : ", not on the server (rollback to them needs it) " + r.skipped()));
        return SnapshotCli.OK;
    }

    static void prune(PrintStream out, SnapshotStore store, List<String> args) throws IOException {
        int[] keep = pruneOptions(args);
        int keepHistory = keep[1];
        StorePrune.Result r = StorePrune.prune(store, keep[0], keepHistory);
        out.println("pruned " + store.directory() + ": removed snapshots " + r.removedSnapshots() + ", "
                + r.removedHistoryFiles() + " history files; revision "
                + r.registry().revision());
    }

    /** @return {@code --keep} and {@code --keep-history}, -1 where not given (at least one is) */
    static int[] pruneOptions(List<String> args) {
        int keep = -1;
        int keepHistory = -1;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new UsageException(option + " needs a number");
            }
            int n = count(args.get(++i), option);
            switch (option) {
                case "--keep" -> keep = n;
                case "--keep-history" -> keepHistory = n;
                default -> throw new UsageException("unknown option '" + option + "' for store prune");
            }
        }
        if (keep < 0 && keepHistory < 0) {
            throw new UsageException("usage: store prune DIR|URL [--keep N] [--keep-history N] (at least one)");
        }
        return new int[] {keep, keepHistory};
    }

    private static int count(String value, String option) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " must be a number of 0 or more, not '" + value + "'");
    }
}
