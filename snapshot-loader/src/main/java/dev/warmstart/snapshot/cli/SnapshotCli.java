package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.CorruptSnapshotException;
import dev.warmstart.snapshot.loader.MissingVariableException;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.loader.SnapshotOption;
import dev.warmstart.snapshot.loader.SnapshotSignature;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.loader.UnsupportedFormatVersionException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The loader jar's command line: {@code java -jar snapshot-loader.jar <command> ...}.
 *
 * <p>Exit codes: 0 success; 1 the snapshot is corrupt or unsupported, a verification failed, or a looked-up key,
 * prompt or variable is missing; 2 usage error. Messages go to stderr, one line each; {@code --debug} adds stack
 * traces.
 */
public final class SnapshotCli {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = String.join(
            "\n",
            "usage: java -jar snapshot-loader.jar [--debug] <command> [args]",
            "commands:",
            "  inspect [--json] FILE            metadata, entry table and prompts",
            "  verify FILE                      check every entry's SHA-256, the content hash and the tar structure",
            "  verify FILE --trust KEY.pub.pem [--trust KEY2.pub.pem]",
            "                                   also refuse it unless signed by one of these keys",
            SignCommand.USAGE,
            "  get FILE KEY                     print one config value (a list or map as JSON)",
            "  keys [--json] FILE [PREFIX]      list config keys (under PREFIX) with type and stored value",
            "  render FILE PROMPT [name=value]  render a prompt template",
            "  diff OLD NEW                     entries and config keys added, removed, changed",
            StoreCommand.USAGE,
            "exit codes: 0 ok, 1 corrupt snapshot or failed check or missing key/prompt/variable, 2 usage error");

    private final PrintStream out;
    private final PrintStream err;
    private boolean debug;

    SnapshotCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        System.exit(new SnapshotCli(System.out, System.err).run(args));
    }

    /** @return the exit status for {@code args} */
    int run(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        debug = rest.remove("--debug");
        if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("help")) {
            (rest.isEmpty() ? err : out).println(USAGE_TEXT);
            return rest.isEmpty() ? USAGE : OK;
        }
        String command = rest.remove(0);
        try {
            return switch (command) {
                case "inspect" -> new InspectCommand(out).run(rest);
                case "verify" -> verify(rest);
                case "get" -> new ConfigCommand(out).get(rest);
                case "keys" -> new ConfigCommand(out).keys(rest);
                case "render" -> render(rest);
                case "diff" -> diff(rest);
                case "store" -> new StoreCommand(out).run(rest);
                case "sign" -> new SignCommand(out).run(rest);
                default -> usage("unknown command '" + command + "'");
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (CorruptSnapshotException | UnsupportedFormatVersionException e) {
            return fail(e, e.getMessage());
        } catch (SnapshotException e) {
            return fail(e, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(e, "no such file: " + e.getFile());
        } catch (IOException e) {
            return fail(e, "cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return fail(e, e.getMessage());
        } catch (RuntimeException | Error e) {
            // Even a fault the loader cannot explain (an InternalError from a mapped read, say) is one line
            // without --debug: the CLI never prints a stack trace unasked.
            return fail(e, "unexpected error: " + e);
        }
    }

    private int verify(List<String> args) throws IOException {
        TrustPolicy trust = TrustOptions.take(args);
        Path file = Path.of(single(args, "verify FILE " + TrustOptions.USAGE));
        // Open plain and check the signature here: open(file, trust) would verify every byte, and so does verify().
        try (Snapshot snapshot = Snapshot.open(file)) {
            if (trust != null) {
                trust.check(snapshot);
            }
            snapshot.verify();
            out.println("OK " + snapshot.id() + ": " + InspectCommand.describeCount(snapshot.entries())
                    + " verified, content hash " + snapshot.contentHash()
                    + (trust == null
                            ? ""
                            : ", signed by trusted key "
                                    + SnapshotSignature.of(snapshot)
                                            .orElseThrow()
                                            .keyId()));
            return OK;
        }
    }

    private int render(List<String> args) throws IOException {
        if (args.size() < 2) {
            throw new UsageException("usage: render FILE PROMPT [name=value ...]");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : args.subList(2, args.size())) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("variable '" + pair + "' is not name=value");
            }
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        // Verified on first access: this is where people look at a snapshot they do not trust.
        try (Snapshot snapshot = Snapshot.open(Path.of(args.get(0)), SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
            String text;
            try {
                text = snapshot.prompt(args.get(1)).render(values);
            } catch (MissingVariableException e) {
                return fail(
                        e,
                        args.get(0) + ": prompt '" + args.get(1) + "' needs a value for variable '" + e.variable()
                                + "'; add " + e.variable() + "=VALUE to the command line");
            }
            out.print(text);
            out.flush();
            return OK;
        }
    }

    private int diff(List<String> args) throws IOException {
        if (args.size() != 2) {
            throw new UsageException("usage: diff OLD NEW");
        }
        try (Snapshot before = Snapshot.open(Path.of(args.get(0)));
                Snapshot after = Snapshot.open(Path.of(args.get(1)))) {
            List<String> lines = new ArrayList<>();
            Map<String, String> oldEntries = contentEntries(before);
            Map<String, String> newEntries = contentEntries(after);
            compare("entry", oldEntries, newEntries, lines);
            compare("config", configValues(before.config()), configValues(after.config()), lines);
            if (lines.isEmpty()) {
                out.println("no differences (content hash " + after.contentHash() + ")");
            } else {
                lines.forEach(out::println);
                out.println(lines.size() + " difference(s)");
            }
            return OK;
        }
    }

    private static Map<String, String> contentEntries(Snapshot snapshot) {
        Map<String, String> out = new TreeMap<>();
        for (SnapshotEntry e : snapshot.entries()) {
            if (!e.name().startsWith(SnapshotFormat.RESERVED_PREFIX)) {
                out.put(e.name(), e.sha256());
            }
        }
        return out;
    }

    private static Map<String, String> configValues(Config config) {
        Map<String, String> out = new TreeMap<>();
        for (String key : config.keys()) {
            out.put(key, config.describe(key));
        }
        return out;
    }

    private static void compare(
            String what, Map<String, String> before, Map<String, String> after, List<String> lines) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            String a = before.get(key);
            String b = after.get(key);
            if (a == null) {
                lines.add("+ " + what + " " + key);
            } else if (b == null) {
                lines.add("- " + what + " " + key);
            } else if (!Objects.equals(a, b)) {
                lines.add("~ " + what + " " + key + (what.equals("config") ? ": " + a + " -> " + b : ""));
            }
        }
    }

    private static String single(List<String> args, String usage) {
        if (args.size() != 1) {
            throw new UsageException("usage: " + usage);
        }
        return args.get(0);
    }

    private int usage(String message) {
        err.println("error: " + message);
        err.println("run with --help for the commands");
        return USAGE;
    }

    private int fail(Throwable e, String message) {
        err.println("error: " + message.replace('\n', ' '));
        if (debug) {
            e.printStackTrace(err);
        }
        return FAILED;
    }
}
