package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.store.HttpStoreSettings;
import dev.warmstart.snapshot.store.RemoteStoreWriter;
import dev.warmstart.snapshot.store.StoreReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code store <operation> URL ...}: the store operations on a remote store, each under the server's WebDAV lock
 * ({@link RemoteStoreWriter}); {@code --force} writes to a server without one.
 */
final class RemoteStoreCommand {
    private static final Set<String> WRITES = Set.of("publish", "promote", "remove-canary", "rollback");

    private RemoteStoreCommand() {}

    static int run(PrintStream out, String operation, String url, List<String> args) throws IOException {
        boolean force = args.remove("--force");
        HttpStoreSettings settings = HttpStoreSettings.fromEnvironment(System.getenv());
        URI uri = URI.create(url);
        if (operation.equals("status")) {
            if (!args.isEmpty()) {
                throw new UsageException("usage: store status URL");
            }
            StoreReport.status(RemoteStoreWriter.readRegistry(uri, settings)).forEach(out::println);
            return SnapshotCli.OK;
        }
        if (!WRITES.contains(operation)) {
            throw new UsageException("store " + operation + " works on a store directory only, not on a URL"
                    + " (URLs: publish, promote, remove-canary, rollback, status, pull)");
        }
        Path mirror = Files.createTempDirectory("warmstart-store-");
        try (RemoteStoreWriter writer = RemoteStoreWriter.begin(
                uri, settings, mirror, force, args, operation.equals("rollback") && args.isEmpty())) {
            // the operations report the store they changed: the URL, not the temporary mirror
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            int status = new StoreCommand(new PrintStream(report, true, StandardCharsets.UTF_8))
                    .apply(operation, writer.store(), args);
            int uploaded = writer.commit();
            out.print(report.toString(StandardCharsets.UTF_8).replace(mirror.toString(), url));
            out.println("uploaded " + uploaded + " files to " + url);
            return status;
        } finally {
            try (Stream<Path> files = Files.walk(mirror)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
