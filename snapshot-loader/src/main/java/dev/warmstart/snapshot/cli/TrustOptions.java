package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.loader.TrustPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code --trust KEY.pem} options the commands share: each names a PEM file of trusted public keys. */
final class TrustOptions {
    static final String USAGE = "[--trust KEY.pub.pem ...]";

    private TrustOptions() {}

    /**
     * Removes every {@code --trust FILE} (or {@code --trust=FILE}) from {@code args}.
     *
     * @return the policy trusting those keys, or null when there was no {@code --trust}
     */
    static TrustPolicy take(List<String> args) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.size(); ) {
            String a = args.get(i);
            if (a.equals("--trust")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--trust needs a public key file (PEM)");
                }
                files.add(Path.of(args.remove(i + 1)));
                args.remove(i);
            } else if (a.startsWith("--trust=")) {
                files.add(Path.of(a.substring("--trust=".length())));
                args.remove(i);
            } else {
                i++;
            }
        }
        return files.isEmpty() ? null : TrustPolicy.fromPemFiles(files);
    }
}
