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
import dev.warmstart.snapshot.plugin.input.BoundedPool;
import dev.warmstart.snapshot.plugin.input.CompiledPrompts;
import dev.warmstart.snapshot.plugin.input.InputCompiler;
import dev.warmstart.snapshot.plugin.input.InputProblemsException;
import dev.warmstart.snapshot.plugin.input.SnapshotInputs;
import dev.warmstart.snapshot.writer.AtomicFiles;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.SnapshotSigner;
import dev.warmstart.snapshot.writer.SnapshotWriter;
import dev.warmstart.snapshot.writer.WrittenSnapshot;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
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
    private int threads = BoundedPool.defaultThreads();

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
     * Sets how many threads validate, compile and check (one per processor unless set). The snapshot's bytes and
     * the problems reported, in their order, are the same whatever the number.
     *
     * @param threads at least 1
     * @return this builder
     */
    public SnapshotBuilder threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.threads = threads;
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
        HashWarmUp.start();
        try (SnapshotInputs inputs = new InputCompiler(log).threads(threads).compile(settings.inputs())) {
            return build(settings, inputs);
        }
    }

    private BuildResult build(BuildSettings settings, SnapshotInputs inputs) throws IOException {
        Path target = settings.outputDirectory().resolve(settings.fileName());
        ConfigTableWriter config = new ConfigTableWriter();
        for (SnapshotInputs.ConfigInput input : inputs.configs()) {
            config.put(input.prefix(), input.tree());
        }
        byte[] configTable = config.toTableBytes();
        byte[] configJson = config.toCanonicalJson();
        String fingerprint = fingerprint(settings, configTable, configJson, inputs)
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

        log.accept("Writing " + config.size() + " config keys and "
                + inputs.prompts().size() + " prompts to " + target);

        Instant created = settings.fixedTimestamp() != null ? settings.fixedTimestamp() : Instant.now();
        WrittenSnapshot written;
        // Every prompt was compiled once, on every core, during validation, its entry hashed there too: the writer
        // takes the bytes from that store (heap up to a budget, then a spill file) straight into the tar. Only
        // names, hashes and variables are kept for the self-check, so memory stays bounded.
        List<WrittenPrompt> prompts = new ArrayList<>();
        try (SnapshotWriter writer =
                SnapshotWriter.create(target).signWith(signer).writeThreads(threads)) {
            writer.addEntry(SnapshotFormat.CONFIG_TABLE_ENTRY, SnapshotFormat.KIND_CONFIG_TABLE, configTable);
            writer.addEntry(SnapshotFormat.CONFIG_JSON_ENTRY, SnapshotFormat.KIND_CONFIG_JSON, configJson);
            for (SnapshotInputs.PromptInput input : inputs.prompts()) {
                CompiledPrompts.Entry entry = input.entry();
                writer.addEntry(
                        SnapshotFormat.promptEntryName(input.name()),
                        SnapshotFormat.KIND_PROMPT,
                        entry.sha256(),
                        entry.length(),
                        inputs.source(input));
                prompts.add(new WrittenPrompt(
                        input.name(), ContentHash.hex(entry.sha256()), entry.variables(), entry.syntax()));
            }
            // The written file is read back and checked before it replaces the target (a snapshot that fails
            // never serves), while it is forced to disk; the sidecar's hash is taken from that read-back.
            written = writer.finish(
                    created,
                    PRODUCER,
                    settings.producerVersion(),
                    settings.provenance(),
                    file -> readBack(file, target, config, prompts));
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
     * The self-check of a written snapshot, before it takes the target's place: opens it with the loader, verifies
     * every byte ({@link Snapshot#verifyUsing}: the index, every entry's SHA-256, the tar structure), checks that every
     * config key and prompt reads back equal to what was compiled and, when signed, that the signature verifies
     * with the key's public half. On every core; meanwhile one thread hashes the whole file for the sidecar.
     *
     * @param file the written file
     * @param target where it goes, for messages
     * @return the SHA-256 of the whole file, in hex
     * @throws SelfCheckException when it does not read back as written
     */
    private String readBack(Path file, Path target, ConfigTableWriter config, List<WrittenPrompt> prompts)
            throws IOException {
        try (BoundedPool pool = new BoundedPool(threads, BoundedPool.defaultInFlightBytes())) {
            Future<String> fileSha256 = pool.submit(0, () -> sha256(file));
            try {
                selfCheck(file, target, config, prompts, pool);
                if (signer != null) {
                    // Every byte is verified just above: check only the signature, not the whole file again.
                    try (Snapshot signed = Snapshot.open(
                            file, TrustPolicy.of(List.of(signer.publicKey())), SnapshotOption.VERIFY_ON_FIRST_ACCESS)) {
                        log.accept("Signed " + signed.id() + " with key " + signer.keyId());
                    } catch (SnapshotException e) {
                        throw new SelfCheckException("the signature does not verify: " + e.getMessage(), e);
                    }
                }
            } catch (SnapshotException e) {
                throw new SelfCheckException(target + ", as written: " + e.getMessage(), e);
            } finally {
                // Not left reading a file that is about to be renamed or deleted.
                BoundedPool.await(fileSha256);
            }
            return BoundedPool.join(fileSha256);
        }
    }

    /**
     * Opens the written snapshot with the loader, verifies every byte and checks that every config key and
     * prompt reads back equal to what was compiled.
     *
     * @param target the name for messages
     */
    static void selfCheck(
            Path file, Path target, ConfigTableWriter config, List<WrittenPrompt> prompts, BoundedPool pool)
            throws IOException {
        try (Snapshot snapshot = Snapshot.open(file)) {
            snapshot.verifyUsing(pool.executor());
            Config read = snapshot.config();
            if (read.size() != config.size()) {
                throw new SelfCheckException(
                        target + ": wrote " + config.size() + " config keys, read back " + read.size());
            }
            for (Map.Entry<String, Object> e : config.entries().entrySet()) {
                Object back = read.value(e.getKey());
                if (!sameValue(e.getValue(), back)) {
                    throw new SelfCheckException(target + ": config key '" + e.getKey() + "' wrote " + e.getValue()
                            + " but read back " + back);
                }
            }
            if (snapshot.promptNames().size() != prompts.size()) {
                throw new SelfCheckException(target + ": wrote " + prompts.size() + " prompts, read back "
                        + snapshot.promptNames().size());
            }
            Map<String, String> storedHashes = new HashMap<>();
            for (SnapshotEntry e : snapshot.entries()) {
                storedHashes.put(e.name(), e.sha256());
            }
            checkPrompts(file, target, prompts, storedHashes, pool);
        }
    }

    /**
     * Decodes every prompt and compares it with what was written. A snapshot caches the prompts it decodes, so
     * they are read through a fresh one per batch, batches on every core: the check's memory stays bounded however
     * many there are. The first prompt (in written order) that does not read back is the one reported.
     */
    private static void checkPrompts(
            Path file, Path target, List<WrittenPrompt> prompts, Map<String, String> storedHashes, BoundedPool pool)
            throws IOException {
        final int batch = 500;
        List<Future<String>> failures = new ArrayList<>();
        try {
            for (int from = 0; from < prompts.size(); from += batch) {
                List<WrittenPrompt> slice = prompts.subList(from, Math.min(prompts.size(), from + batch));
                failures.add(pool.submit(0, () -> checkBatch(file, slice, storedHashes)));
            }
            for (Future<String> f : failures) {
                String failed = BoundedPool.join(f);
                if (failed != null) {
                    throw new SelfCheckException(target + ": prompt '" + failed + "' does not read back as written");
                }
            }
        } finally {
            for (Future<String> f : failures) {
                BoundedPool.await(f);
            }
        }
    }

    /** @return the name of the first prompt of the batch that does not read back as written, or null */
    private static String checkBatch(Path file, List<WrittenPrompt> batch, Map<String, String> storedHashes)
            throws IOException {
        try (Snapshot snapshot = Snapshot.open(file)) {
            for (WrittenPrompt p : batch) {
                PromptTemplate t = snapshot.prompt(p.name());
                String stored = storedHashes.getOrDefault(SnapshotFormat.promptEntryName(p.name()), "");
                if (!stored.equals(p.sha256()) || !t.variables().equals(p.variables()) || t.syntax() != p.syntax()) {
                    return p.name();
                }
            }
        }
        return null;
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

    /** @return the SHA-256 of a whole file, in hex: read in large blocks, which the JIT turns to SHA instructions soonest */
    private static String sha256(Path file) throws IOException {
        MessageDigest digest = ContentHash.sha256();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buf.clear()) > 0) {
                digest.update(buf.array(), 0, buf.position());
            }
        }
        return ContentHash.hex(digest.digest());
    }

    /**
     * Everything that decides the output: the settings, the producer's version, and the content to write — the
     * config entries' bytes and every prompt's name and entry hash, computed while validating. Hashing the
     * compiled content rather than the input files costs no pass over the inputs, and an edit that changes
     * nothing in the snapshot (a comment in a config file) keeps it.
     */
    private static String fingerprint(
            BuildSettings settings, byte[] configTable, byte[] configJson, SnapshotInputs inputs) {
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
        digest.update(ContentHash.sha256().digest(configTable));
        digest.update(ContentHash.sha256().digest(configJson));
        for (SnapshotInputs.PromptInput prompt : inputs.prompts()) {
            digest.update(prompt.name().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(prompt.entry().sha256());
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
