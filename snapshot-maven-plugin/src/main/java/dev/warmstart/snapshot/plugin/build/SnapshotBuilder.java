package dev.warmstart.snapshot.plugin.build;

import dev.warmstart.snapshot.format.ContentHash;
import dev.warmstart.snapshot.format.Json;
import dev.warmstart.snapshot.format.SnapshotFormat;
import dev.warmstart.snapshot.loader.Config;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.loader.PromptTemplate;
import dev.warmstart.snapshot.loader.Snapshot;
import dev.warmstart.snapshot.loader.SnapshotEntry;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.loader.SnapshotMetadata;
import dev.warmstart.snapshot.loader.SnapshotOption;
import dev.warmstart.snapshot.loader.TrustPolicy;
import dev.warmstart.snapshot.plugin.input.InputCompiler;
import dev.warmstart.snapshot.plugin.input.InputProblemsException;
import dev.warmstart.snapshot.plugin.input.SnapshotInputs;
import dev.warmstart.snapshot.writer.AtomicFiles;
import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSyntaxException;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import dev.warmstart.snapshot.writer.WrittenSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Compiles the inputs, writes the snapshot, reads it back with the loader to prove it, and records it: the
 * {@code .sha256} sidecar and {@code registry.json}. When the inputs are unchanged since the last build into
 * the same directory, the existing snapshot is kept. Plain Java: the Mojo only binds parameters to it.
 */
public final class SnapshotBuilder {
    /** Name of the file, beside the snapshot, that fingerprints the inputs of the last build. */
    static final String FINGERPRINT_FILE = ".inputs.sha256";
    /** Name of the build registry beside the snapshot. */
    public static final String REGISTRY_FILE = "registry.json";

    static final String PRODUCER = "snapshot-maven-plugin";

    private final Consumer<String> log;
    private SnapshotSigner signer;

    /** @param log receives progress lines for the build log */
    public SnapshotBuilder(Consumer<String> log) {
        this.log = log;
    }

    /**
     * Signs the snapshots this builder writes (see {@code docs/format.md}, "Signature"); the signature is checked
     * against the key's public half before the build succeeds.
     *
     * @param signer the signing key, or null to write unsigned snapshots
     * @return this builder
     */
    public SnapshotBuilder signWith(SnapshotSigner signer) {
        this.signer = signer;
        return this;
    }

    /**
     * Builds the snapshot.
     *
     * @throws InputProblemsException when the inputs are invalid (every problem listed)
     * @throws IOException when reading inputs or writing outputs fails
     * @throws SelfCheckException when the written snapshot does not read back as written
     */
    public BuildResult build(BuildSettings settings) throws InputProblemsException, IOException {
        SnapshotInputs inputs = new InputCompiler(log).compile(settings.inputs());
        Path target = settings.outputDirectory().resolve(settings.fileName());
        String fingerprint = fingerprint(settings, inputs)
                + (signer == null ? "" : " signed " + signer.keyId()); // a new key means a new file
        Path fingerprintFile = settings.outputDirectory().resolve(FINGERPRINT_FILE);
        if (isUpToDate(target, fingerprintFile, fingerprint)) {
            try (Snapshot existing = Snapshot.open(target)) {
                SnapshotMetadata m = existing.metadata();
                log.accept("Inputs unchanged since the last build: keeping " + target.getFileName());
                return new BuildResult(
                        target,
                        m.id(),
                        m.contentHash(),
                        sidecarHash(target),
                        m.fileBytes(),
                        existing.config().size(),
                        existing.promptNames().size(),
                        inputs.appCount(),
                        true,
                        inputs.warnings());
            }
        }

        ConfigTableWriter config = new ConfigTableWriter();
        for (SnapshotInputs.ConfigInput input : inputs.configs()) {
            config.put(input.prefix(), input.tree());
        }
        log.accept("Writing " + config.size() + " config keys and "
                + inputs.prompts().size() + " prompts to " + target);

        Instant created = settings.fixedTimestamp() != null ? settings.fixedTimestamp() : Instant.now();
        WrittenSnapshot written;
        // Prompts are read, compiled and written one at a time; only their names, hashes and variables are kept
        // for the self-check, so memory stays bounded whatever the total size of the inputs.
        List<WrittenPrompt> prompts = new ArrayList<>();
        try (SnapshotWriter writer = SnapshotWriter.create(target).signWith(signer)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, config.toTableBytes());
            writer.addEntry(
                    SnapshotFormat.CONFIG_JSON_ENTRY, SnapshotFormat.KIND_CONFIG_JSON, config.toCanonicalJson());
            for (SnapshotInputs.PromptInput input : inputs.prompts()) {
                CompiledPrompt prompt;
                try {
                    prompt = PromptCompiler.compile(input.loader().load());
                } catch (PromptSyntaxException e) {
                    // InputCompiler validated every prompt already; reaching here is a bug, not bad input.
                    throw new IllegalStateException(
                            "prompt " + input.name() + " failed to compile after validation", e);
                }
                String sha256 = writer.addEntry(
                        SnapshotFormat.promptEntryName(prompt.name()), SnapshotFormat.KIND_PROMPT, prompt.toBytes());
                prompts.add(new WrittenPrompt(prompt.name(), sha256, prompt.variables(), prompt.syntax()));
            }
            written = writer.finish(created, PRODUCER, settings.producerVersion(), settings.provenance());
        }
        selfCheck(target, config, prompts);
        if (signer != null) {
            // selfCheck has just verified every byte: check only the signature, not the whole file again.
            try (Snapshot signed = Snapshot.open(
                    target, TrustPolicy.of(List.of(signer.publicKey())), SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
                log.accept("Signed " + signed.id() + " with key " + signer.keyId());
            } catch (SnapshotException e) {
                throw new SelfCheckException("the signature does not verify: " + e.getMessage(), e);
            }
        }

        AtomicFiles.write(
                sidecar(target),
                (written.fileSha256() + "  " + target.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
        writeRegistry(settings.outputDirectory().resolve(REGISTRY_FILE), written, settings.provenance());
        AtomicFiles.write(fingerprintFile, (fingerprint + "\n").getBytes(StandardCharsets.UTF_8));
        return new BuildResult(
                target,
                written.id(),
                written.contentHash(),
                written.fileSha256(),
                written.fileBytes(),
                config.size(),
                prompts.size(),
                inputs.appCount(),
                false,
                inputs.warnings());
    }

    /** @return the {@code .sha256} sidecar path of a snapshot file */
    public static Path sidecar(Path snapshot) {
        return snapshot.resolveSibling(snapshot.getFileName() + ".sha256");
    }

    /**
     * Opens the written snapshot with the loader, verifies every byte and checks that every config key and
     * prompt reads back equal to what was compiled.
     */
    static void selfCheck(Path file, ConfigTableWriter config, List<WrittenPrompt> prompts) throws IOException {
        try (Snapshot snapshot = Snapshot.open(file)) {
            snapshot.verify();
            Config read = snapshot.config();
            if (read.size() != config.size()) {
                throw new SelfCheckException(
                        file + ": wrote " + config.size() + " config keys, read back " + read.size());
            }
            for (Map.Entry<String, Object> e : config.entries().entrySet()) {
                Object back = read.value(e.getKey());
                if (!sameValue(e.getValue(), back)) {
                    throw new SelfCheckException(file + ": config key '" + e.getKey() + "' wrote " + e.getValue()
                            + " but read back " + back);
                }
            }
            if (snapshot.promptNames().size() != prompts.size()) {
                throw new SelfCheckException(file + ": wrote " + prompts.size() + " prompts, read back "
                        + snapshot.promptNames().size());
            }
            Map<String, String> storedHashes = new HashMap<>();
            for (SnapshotEntry e : snapshot.entries()) {
                storedHashes.put(e.name(), e.sha256());
            }
            checkPrompts(file, prompts, storedHashes);
        }
    }

    /**
     * Decodes every prompt and compares it with what was written. A snapshot caches the prompts it decodes, so
     * they are read through a fresh one per batch: the check's memory stays bounded however many there are.
     */
    private static void checkPrompts(Path file, List<WrittenPrompt> prompts, Map<String, String> storedHashes)
            throws IOException {
        final int batch = 500;
        for (int from = 0; from < prompts.size(); from += batch) {
            try (Snapshot snapshot = Snapshot.open(file)) {
                for (WrittenPrompt p : prompts.subList(from, Math.min(prompts.size(), from + batch))) {
                    PromptTemplate t = snapshot.prompt(p.name());
                    String stored = storedHashes.getOrDefault(SnapshotFormat.promptEntryName(p.name()), "");
                    if (!stored.equals(p.sha256())
                            || !t.variables().equals(p.variables())
                            || t.syntax() != p.syntax()) {
                        throw new SelfCheckException(
                                file + ": prompt '" + p.name() + "' does not read back as written");
                    }
                }
            }
        }
    }

    /** What the self-check needs of a written prompt: its compiled bytes' hash, not the bytes. */
    record WrittenPrompt(String name, String sha256, List<String> variables, PromptSyntax syntax) {}

    private static boolean sameValue(Object written, Object read) {
        if (written instanceof Number a && read instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
        }
        return Objects.equals(written, read);
    }

    private static boolean isUpToDate(Path target, Path fingerprintFile, String fingerprint) throws IOException {
        if (!Files.isRegularFile(target)
                || !Files.isRegularFile(fingerprintFile)
                || !Files.isRegularFile(sidecar(target))) {
            return false;
        }
        if (!Files.readString(fingerprintFile, StandardCharsets.UTF_8).strip().equals(fingerprint)) {
            return false;
        }
        // The file must still be the one the sidecar describes, or it is rebuilt.
        return sidecarHash(target).equals(sha256(target));
    }

    private static String sidecarHash(Path target) throws IOException {
        String line = Files.readString(sidecar(target), StandardCharsets.UTF_8).strip();
        int space = line.indexOf(' ');
        return space > 0 ? line.substring(0, space) : line;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = ContentHash.sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return ContentHash.hex(digest.digest());
    }

    /** Everything that decides the output: input files' names and bytes, the settings, the producer's version. */
    private static String fingerprint(BuildSettings settings, SnapshotInputs inputs) throws IOException {
        MessageDigest digest = ContentHash.sha256();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("format", SnapshotFormat.MAJOR_VERSION + "." + SnapshotFormat.MINOR_VERSION);
        parameters.put("producerVersion", settings.producerVersion());
        parameters.put("fileName", settings.fileName());
        parameters.put("timestamp", String.valueOf(settings.fixedTimestamp()));
        Map<String, String> stableProvenance = new LinkedHashMap<>(settings.provenance());
        stableProvenance.remove("ciBuild"); // differs on every CI run; not a reason to rebuild
        parameters.put("provenance", stableProvenance);
        parameters.put("settings", settings.inputs().toString());
        digest.update(Json.compact(parameters).getBytes(StandardCharsets.UTF_8));
        Path base = settings.inputs().baseDirectory();
        for (Path file : inputs.inputFiles()) {
            digest.update(base.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(sha256(file).getBytes(StandardCharsets.US_ASCII));
        }
        return ContentHash.hex(digest.digest());
    }

    private static void writeRegistry(Path registry, WrittenSnapshot written, Map<String, String> provenance)
            throws IOException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", written.id());
        entry.put("created", written.created().toString());
        entry.put("contentHash", written.contentHash());
        entry.put("file", written.file().getFileName().toString());
        entry.put("size", written.fileBytes());
        entry.put("sha256", written.fileSha256());
        entry.put("provenance", new LinkedHashMap<>(provenance));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("registryVersion", 1);
        doc.put("snapshots", List.of(entry));
        AtomicFiles.write(registry, Json.pretty(doc).getBytes(StandardCharsets.UTF_8));
    }
}
