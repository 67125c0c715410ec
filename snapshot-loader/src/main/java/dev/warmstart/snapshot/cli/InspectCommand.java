package dev.warmstart.snapshot.cli;

import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.loader.SnapshotMetadata;
import dev.warmstart.snapshot.loader.SnapshotSignature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code inspect [--json] FILE}: metadata, the entry table and the prompts of a snapshot. */
final class InspectCommand {
    private final PrintStream out;

    InspectCommand(PrintStream out) {
        this.out = out;
    }

    int run(List<String> args) throws IOException {
        boolean json = args.remove("--json");
        if (args.size() != 1) {
            throw new UsageException("usage: inspect [--json] FILE");
        }
        Path file = Path.of(args.get(0));
        try (Snapshot snapshot = Snapshot.open(file)) {
            SnapshotMetadata m = snapshot.metadata();
            List<SnapshotEntry> entries = snapshot.entries();
            List<String> promptNames = snapshot.promptNames();
            if (json) {
                printJson(file, snapshot, m, entries, promptNames);
                return SnapshotCli.OK;
            }
            out.println("Snapshot " + m.id());
            out.println("  file          " + file);
            out.println("  created       " + m.created());
            out.println("  content hash  " + m.contentHash());
            out.println("  format        " + m.formatVersion() + " (" + m.producer() + " " + m.producerVersion() + ")");
            out.println("  entries       " + describeCount(entries) + "; " + m.contentBytes() + " bytes of content, "
                    + m.fileBytes() + " bytes on disk");
            m.provenance().forEach((k, v) -> out.println("  " + String.format(Locale.ROOT, "%-13s ", k) + v));
            out.println("  config keys   " + snapshot.config().size());
            out.println("  signature     "
                    + SnapshotSignature.of(snapshot)
                            .map(s -> "signed by key " + s.keyId() + " (" + s.algorithm()
                                    + "; not checked here: verify --trust KEY.pub.pem checks it)")
                            .orElse("unsigned"));
            out.println();
            out.println(String.format(Locale.ROOT, "%-12s %10s  %-16s %s", "OFFSET", "LENGTH", "SHA-256", "NAME"));
            for (SnapshotEntry e : entries) {
                out.println(String.format(
                        Locale.ROOT,
                        "%-12d %10d  %-16s %s",
                        e.offset(),
                        e.length(),
                        e.sha256().substring(0, 16),
                        e.name()));
            }
            if (!promptNames.isEmpty()) {
                out.println();
                out.println("Prompts:");
                for (String name : promptNames) {
                    PromptTemplate p = snapshot.prompt(name);
                    out.println("  " + name + "  [" + p.syntax().name().toLowerCase(Locale.ROOT) + "]  variables: "
                            + String.join(", ", p.variables()));
                }
            }
            return SnapshotCli.OK;
        }
    }

    private void printJson(
            Path file, Snapshot snapshot, SnapshotMetadata m, List<SnapshotEntry> entries, List<String> promptNames) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", file.toString());
        doc.put("metadata", Json.parse(m.toJson()));
        List<Object> entryList = new ArrayList<>();
        for (SnapshotEntry e : entries) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", e.name());
            row.put("kind", e.kind());
            row.put("offset", e.offset());
            row.put("length", e.length());
            row.put("sha256", e.sha256());
            entryList.add(row);
        }
        doc.put("entries", entryList);
        List<Object> prompts = new ArrayList<>();
        for (String name : promptNames) {
            PromptTemplate p = snapshot.prompt(name);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("syntax", p.syntax().name());
            row.put("variables", p.variables());
            prompts.add(row);
        }
        doc.put("prompts", prompts);
        doc.put("configKeys", snapshot.config().size());
        doc.put(
                "signedBy",
                SnapshotSignature.of(snapshot).map(SnapshotSignature::keyId).orElse(null));
        out.print(Json.pretty(doc));
    }

    /**
     * The one way both {@code inspect} and {@code verify} count entries: every entry of the index, and how many
     * of them are content (the metadata's {@code entryCount}) rather than bookkeeping under {@code .warmstart/}.
     */
    static String describeCount(List<SnapshotEntry> entries) {
        int content = 0;
        for (SnapshotEntry e : entries) {
            if (!e.name().startsWith(SnapshotFormat.RESERVED_PREFIX)) {
                content++;
            }
        }
        return entries.size() + " entries (" + content + " content, " + (entries.size() - content) + " under "
                + SnapshotFormat.RESERVED_PREFIX + ")";
    }
}
