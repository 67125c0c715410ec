package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.StorePull;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code store pull URL DIR}: a verified one-shot copy of a remote store (see {@link StorePull}). */
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
}
