package dev.warmstart.bench;

import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The snapshot shapes the benchmarks run on, generated (deterministically) into a cache directory on first use and
 * never committed: {@code -Dbench.dir} or {@code $TMPDIR/warmstart-bench}.
 *
 * <p>Every shape holds the same realistic core, a config tree of about 2,000 keys and 300 prompt templates of
 * 1 KiB with 5 variables each (one of them is {@link #RENDER_PROMPT}), plus {@code entries} data entries that
 * bring it to its size: YAML documents of flat string settings, as a service would keep per-tenant or
 * per-feature config. For each shape the same content is also written the ways services load it today:
 * <ul>
 *   <li>{@code <shape>.zip} — a jar-like zip (deflated) of the same entries;</li>
 *   <li>{@code <shape>-yaml/} and {@code <shape>-json/} — the data entries as YAML and as JSON files (shapes up
 *       to 100 MiB; parsing 1 GiB of YAML at start-up is not something anyone does);</li>
 *   <li>{@code <shape>-core/} — the core alone: {@code config.yml}, {@code config.json} and {@code prompts/*.prompt}.</li>
 * </ul>
 */
public enum Shapes {
    /** The realistic core alone: config and prompts, about 0.4 MiB. */
    MIX(0, 0),
    /** 1 MiB in 100 data entries. */
    S1MIB_100(100, 1L << 20),
    /** 100 MiB in 10,000 data entries. */
    S100MIB_10K(10_000, 100L << 20),
    /** 1 GiB in 100,000 data entries. */
    S1GIB_100K(100_000, 1L << 30);

    /** A config key every shape has. */
    public static final String HIT_KEY = "services.svc_0125.endpoint";
    /** A config key no shape has, in the middle of the table. */
    public static final String MISS_KEY = "services.svc_0125.nope";
    /** A 1 KiB template with 5 variables. */
    public static final String RENDER_PROMPT = "prompts/p150";
    /** The variables of every template. */
    public static final Map<String, Object> RENDER_VALUES = Map.of(
            "user",
            "Ada",
            "product",
            "Acme Cloud",
            "question",
            "Why is my invoice export empty?",
            "context",
            "Invoices are exported nightly at 02:00 UTC.",
            "tone",
            "friendly");
    /** A data entry every size shape has. */
    public static final String DATA_ENTRY = "data/part-000042.yml";

    /** Bumped whenever the files change, content or format: 3 since format 1.1's index CRCs became CRC-32. */
    private static final int GENERATOR_VERSION = 3;

    private static final String[] WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
                    + " mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")
            .split(" ");

    final int entries;
    final long bytes;

    Shapes(int entries, long bytes) {
        this.entries = entries;
        this.bytes = bytes;
    }

    /** @return the name used in file names and JMH parameters ({@code 1GiB-100k}...) */
    public String label() {
        return switch (this) {
            case MIX -> "mix";
            case S1MIB_100 -> "1MiB-100";
            case S100MIB_10K -> "100MiB-10k";
            case S1GIB_100K -> "1GiB-100k";
        };
    }

    /** @return the shape of a label */
    public static Shapes of(String label) {
        for (Shapes s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no shape " + label);
    }

    /** @return whether the YAML/JSON directories exist for this shape */
    public boolean hasParseFiles() {
        return bytes <= (100L << 20);
    }

    /** @return the cache directory */
    public static Path dir() {
        return Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir") + "/warmstart-bench"));
    }

    /** @return the snapshot file, generated when missing */
    public Path snapshot() {
        ensure();
        return dir().resolve(label() + ".tar");
    }

    /** @return the zip of the same entries */
    public Path zip() {
        ensure();
        return dir().resolve(label() + ".zip");
    }

    /** @return the directory of data entries as YAML (or JSON) files */
    public Path parseDir(String format) {
        ensure();
        return dir().resolve(label() + "-" + format);
    }

    /** @return the directory holding the core as config.yml, config.json and prompts/ */
    public Path coreDir() {
        ensure();
        return dir().resolve(label() + "-core");
    }

    /** Generates every file of this shape unless a complete set of this generator version is there. */
    public synchronized void ensure() {
        Path done = dir().resolve(label() + ".done");
        try {
            if (Files.isRegularFile(done) && Files.readString(done).strip().equals(String.valueOf(GENERATOR_VERSION))) {
                return;
            }
            Files.createDirectories(dir());
            long start = System.nanoTime();
            generate();
            Files.writeString(done, GENERATOR_VERSION + "\n");
            System.err.printf(
                    Locale.ROOT, "# generated shape %s in %.1f s%n", label(), (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- generation ----

    /** The config tree: 250 services of 8 settings. */
    static Map<String, Object> configTree() {
        Map<String, Object> services = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 250; i++) {
            Map<String, Object> svc = new LinkedHashMap<>();
            svc.put("endpoint", "https://svc-" + i + ".internal.example.com/v1");
            svc.put("timeout_ms", 500 + random.nextInt(5000));
            svc.put("retries", random.nextInt(5));
            svc.put("enabled", random.nextBoolean());
            svc.put("weight", Math.round(random.nextDouble() * 1000) / 1000.0);
            svc.put("model", WORDS[random.nextInt(WORDS.length)] + "-" + random.nextInt(9));
            svc.put("api_key", "${env:SVC_" + i + "_KEY:-none}");
            svc.put("stop", List.of("\nUser:", "###"));
            services.put(String.format(Locale.ROOT, "svc_%04d", i), svc);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("services", services);
        root.put("model", Map.of("name", "gpt-4o-mini", "temperature", 0.2, "max_tokens", 1024));
        return root;
    }

    /** A 1 KiB template with the 5 variables of {@link #RENDER_VALUES}. */
    static String promptText(int n) {
        StringBuilder b = new StringBuilder();
        b.append("You are the support assistant of {{product}} (template ")
                .append(n)
                .append("). Answer {{user}} in a {{tone}} tone.\n");
        SplittableRandom random = new SplittableRandom(n);
        while (b.length() < 700) {
            b.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(10) == 0 ? ".\n" : " ");
        }
        b.append("\n<context>\n{{context}}\n</context>\n\nQuestion: {{question}}\n");
        while (b.length() < 1024) {
            b.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return b.substring(0, 1024);
    }

    /** A data entry of about {@code size} bytes: flat string settings. */
    static Map<String, String> dataDocument(int n, long size) {
        Map<String, String> doc = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(n * 31L + 1);
        long length = 0;
        for (int k = 0; length < size - 40; k++) {
            StringBuilder value = new StringBuilder();
            int words = 4 + random.nextInt(12);
            for (int w = 0; w < words; w++) {
                value.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            String key = String.format(Locale.ROOT, "setting_%04d", k);
            doc.put(key, value.toString());
            length += key.length() + value.length() + 6;
        }
        return doc;
    }

    static String yaml(Map<String, String> doc) {
        StringBuilder b = new StringBuilder();
        doc.forEach((k, v) -> b.append(k).append(": \"").append(v).append("\"\n"));
        return b.toString();
    }

    static String json(Map<String, String> doc) {
        StringBuilder b = new StringBuilder("{\n");
        int[] i = {0};
        doc.forEach((k, v) -> b.append(i[0]++ == 0 ? "" : ",\n")
                .append("  \"")
                .append(k)
                .append("\": \"")
                .append(v)
                .append('"'));
        return b.append("\n}\n").toString();
    }

    private void generate() throws IOException {
        Path dir = dir();
        Map<String, Object> config = configTree();
        ConfigTableWriter table = new ConfigTableWriter();
        table.put("", config);
        byte[] configJson = table.toCanonicalJson();

        Path core = dir.resolve(label() + "-core");
        Files.createDirectories(core.resolve("prompts"));
        Files.write(core.resolve("config.json"), configJson);
        Files.writeString(core.resolve("config.yml"), new org.yaml.snakeyaml.Yaml().dump(config));

        boolean parseFiles = hasParseFiles() && entries > 0;
        Path yamlDir = dir.resolve(label() + "-yaml");
        Path jsonDir = dir.resolve(label() + "-json");
        if (parseFiles) {
            Files.createDirectories(yamlDir);
            Files.createDirectories(jsonDir);
        }
        Path tar = dir.resolve(label() + ".tar");
        Path zip = dir.resolve(label() + ".zip");
        try (SnapshotWriter writer = SnapshotWriter.create(tar);
                ZipOutputStream zipOut =
                        new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16))) {
            zipOut.setLevel(Deflater.BEST_SPEED);
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, table.toTableBytes());
            writer.addEntry(SnapshotFormat.CONFIG_JSON_ENTRY, SnapshotFormat.KIND_CONFIG_JSON, configJson);
            zip(zipOut, SnapshotFormat.CONFIG_JSON_ENTRY, configJson);
            for (int p = 0; p < 300; p++) {
                String name = String.format(Locale.ROOT, "prompts/p%03d", p);
                String text = promptText(p);
                try {
                    byte[] compiled = PromptCompiler.compile(
                                    new PromptSource(name, text, PromptSyntax.PLAIN, null, Map.of("version", "1")))
                            .toBytes();
                    writer.addEntry(SnapshotFormat.promptEntryName(name), SnapshotFormat.KIND_PROMPT, compiled);
                } catch (dev.warmstart.snapshot.writer.PromptSyntaxException e) {
                    throw new IllegalStateException(e);
                }
                byte[] raw = text.getBytes(StandardCharsets.UTF_8);
                zip(zipOut, name + ".prompt", raw);
                Path file = core.resolve(name + ".prompt");
                Files.createDirectories(file.getParent());
                Files.write(file, raw);
            }
            long perEntry = entries == 0 ? 0 : bytes / entries;
            for (int n = 0; n < entries; n++) {
                Map<String, String> doc = dataDocument(n, perEntry);
                String name = String.format(Locale.ROOT, "data/part-%06d", n);
                byte[] yaml = yaml(doc).getBytes(StandardCharsets.UTF_8);
                writer.addEntry(name + ".yml", SnapshotFormat.KIND_FILE, yaml);
                zip(zipOut, name + ".yml", yaml);
                if (parseFiles) {
                    Files.write(yamlDir.resolve(name.substring(5) + ".yml"), yaml);
                    Files.writeString(jsonDir.resolve(name.substring(5) + ".json"), json(doc));
                }
            }
            writer.finish(Instant.parse("2026-11-01T00:00:00Z"), "warmstart-bench", "0", Map.of("shape", label()));
        }
    }

    private static void zip(ZipOutputStream out, String name, byte[] data) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(data);
        out.closeEntry();
    }

    /** Generates every shape (or those named), for scripts. */
    public static void main(String[] args) {
        List<Shapes> shapes = new ArrayList<>();
        for (String a : args) {
            shapes.add(of(a));
        }
        for (Shapes s : shapes.isEmpty() ? List.of(values()) : shapes) {
            s.ensure();
            System.out.println(s.snapshot());
        }
    }
}
