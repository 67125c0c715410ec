package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.plugin.dify.DifyApp;
import dev.warmstart.snapshot.plugin.dify.DifyAppCompiler;
import dev.warmstart.snapshot.writer.CompiledPrompt;
import dev.warmstart.snapshot.writer.ConfigTableWriter;
import dev.warmstart.snapshot.writer.PromptCompiler;
import dev.warmstart.snapshot.writer.PromptSource;
import dev.warmstart.snapshot.writer.PromptSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Reads and validates every input of a snapshot — config files, prompt templates, Dify exports — and reports all
 * problems of the run together.
 */
public final class InputCompiler {
    private static final Set<String> PROMPT_TEXT_EXTENSIONS = Set.of("prompt", "txt", "md");
    private static final Set<String> PROMPT_OBJECT_KEYS = Set.of("prompt", "variables", "metadata", "syntax");

    private final Consumer<String> log;
    private int threads = BoundedPool.defaultThreads();
    private long heapBudget = -1;

    /** A compiler that logs nothing. */
    public InputCompiler() {
        this(line -> {});
    }

    /** @param log receives what was read from where, for the build log */
    public InputCompiler(Consumer<String> log) {
        this.log = log;
    }

    /**
     * Sets how many threads read, validate and compile prompt files (one per processor unless set). The result,
     * its problems and their order are the same whatever the number.
     *
     * @param threads at least 1
     * @return this compiler
     */
    public InputCompiler threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** Sets how many bytes of compiled prompts are kept on the heap before the rest is spilled to a file. */
    InputCompiler heapBudget(long bytes) {
        this.heapBudget = bytes;
        return this;
    }

    /**
     * Compiles the inputs. Close the result when done with it.
     *
     * @throws InputProblemsException listing every error found
     * @throws IOException when a directory cannot be listed
     */
    public SnapshotInputs compile(InputSettings settings) throws InputProblemsException, IOException {
        CompiledPrompts compiled = heapBudget < 0 ? new CompiledPrompts() : new CompiledPrompts(heapBudget);
        try {
            return compile(settings, compiled);
        } catch (IOException | RuntimeException | InputProblemsException e) {
            compiled.close();
            throw e;
        }
    }

    private SnapshotInputs compile(InputSettings settings, CompiledPrompts compiled)
            throws InputProblemsException, IOException {
        Problems problems = new Problems(settings.baseDirectory());
        StructuredFileReader reader = new StructuredFileReader(settings.maxCodePoints());
        SecretScanner secrets = new SecretScanner(settings.secretAllowlist());
        List<Path> inputFiles = new ArrayList<>();
        List<SnapshotInputs.ConfigInput> configs = new ArrayList<>();
        List<SnapshotInputs.PromptInput> prompts = new ArrayList<>();
        // A trial table catches key collisions between files (a.yml with key b, and a/b.yml) before writing.
        ConfigTableWriter trial = new ConfigTableWriter();
        Map<String, Path> prefixes = new HashMap<>();
        Map<String, Path> promptNames = new HashMap<>();
        InputFiles listing = new InputFiles(settings, problems, log);

        for (Path file : listing.list(
                "config",
                "configDirectory",
                settings.configDirectory(),
                InputSettings.DEFAULT_CONFIG_DIRECTORY,
                settings.configIncludes(),
                settings.configExcludes())) {
            inputFiles.add(file);
            String prefix = prefix(settings.configDirectory().relativize(file));
            if (claim(prefixes, prefix, file, "config prefix '" + prefix + "'", problems)) {
                continue;
            }
            ParsedDocument doc = reader.read(file, problems);
            if (doc == null) {
                continue;
            }
            if (!(doc.root() instanceof Map)) {
                problems.error(
                        file, doc.line(""), doc.column(""), "a config file must hold a mapping of keys to values");
                continue;
            }
            if (addConfig(trial, prefix, doc.root(), doc, file, problems)) {
                configs.add(new SnapshotInputs.ConfigInput(prefix, doc.root(), file));
                secrets.scanTree(doc.root(), prefix, doc, UnaryOperator.identity(), file, problems);
            }
        }

        List<Future<PromptOutcome>> outcomes = new ArrayList<>();
        try (BoundedPool pool = new BoundedPool(threads, BoundedPool.defaultInFlightBytes())) {
            for (Path file : listing.list(
                    "prompts",
                    "promptsDirectory",
                    settings.promptsDirectory(),
                    InputSettings.DEFAULT_PROMPTS_DIRECTORY,
                    settings.promptIncludes(),
                    settings.promptExcludes())) {
                inputFiles.add(file);
                String name = stripExtension(InputFiles.relativeName(settings.promptsDirectory(), file)
                        .replace('\\', '/'));
                Problems own = problems.fork();
                if (claim(promptNames, name, file, "prompt '" + name + "'", own)) {
                    outcomes.add(CompletableFuture.completedFuture(new PromptOutcome(own, null)));
                    continue;
                }
                // Each file is read, validated, compiled and scanned on the pool; its problems are collected
                // apart and added back in file order below, so the report does not depend on the threads.
                outcomes.add(pool.submit(sizeOf(file), () -> promptFile(name, file, reader, secrets, compiled, own)));
            }
            for (Future<PromptOutcome> f : outcomes) {
                PromptOutcome outcome = BoundedPool.join(f);
                problems.addAll(outcome.problems());
                if (outcome.input() != null) {
                    prompts.add(outcome.input());
                }
            }
        }

        int appCount = 0;
        StructuredFileReader appReader = reader.lastDuplicateKeyWins();
        DifyAppCompiler dify = new DifyAppCompiler(appReader, settings.difyVersionPolicy());
        for (Path file : listing.list(
                "apps",
                "appsDirectory",
                settings.appsDirectory(),
                InputSettings.DEFAULT_APPS_DIRECTORY,
                settings.appIncludes(),
                settings.appExcludes())) {
            inputFiles.add(file);
            String appName = DifyAppCompiler.appName(file, problems);
            if (appName == null) {
                continue;
            }
            String prefix = ConfigPath.child("apps", appName);
            if (claim(prefixes, prefix, file, "Dify app '" + appName + "'", problems)) {
                continue;
            }
            ParsedDocument doc = appReader.read(file, problems);
            if (doc == null) {
                continue;
            }
            DifyApp app = dify.compile(appName, doc, problems);
            if (app == null) {
                continue;
            }
            appCount++;
            if (addConfig(trial, prefix, app.configTree(), null, file, problems)) {
                configs.add(new SnapshotInputs.ConfigInput(prefix, app.configTree(), file));
                secrets.scanTree(app.configTree(), prefix, app.document(), app::documentPath, file, problems);
            }
            for (DifyApp.AppPrompt prompt : app.prompts()) {
                String name = prompt.source().name();
                if (claim(promptNames, name, file, "prompt '" + name + "'", problems)) {
                    continue;
                }
                TextAnchor anchor = new TextAnchor(prompt.line(), 0, prompt.blockScalar() ? '|' : 0);
                CompiledPrompt valid = validatePrompt(prompt.source(), file, anchor, reader, problems);
                if (valid != null) {
                    prompts.add(new SnapshotInputs.PromptInput(name, file, compiled.store(valid)));
                }
            }
        }

        if (problems.hasErrors()) {
            throw new InputProblemsException(problems.errors());
        }
        if (trial.size() == 0 && prompts.isEmpty()) {
            problems.warning(
                    null,
                    0,
                    0,
                    "the snapshot is empty: no config key, prompt or Dify app was found in "
                            + problems.display(settings.configDirectory()) + ", "
                            + problems.display(settings.promptsDirectory()) + " or "
                            + problems.display(settings.appsDirectory())
                            + "; put the inputs there, or point <configDirectory>, <promptsDirectory> and"
                            + " <appsDirectory> at them");
        }
        inputFiles.sort(null);
        return new SnapshotInputs(configs, prompts, appCount, problems.warnings(), inputFiles, compiled);
    }

    /** What the work on one prompt file found: its problems, and the compiled prompt unless it is invalid. */
    private record PromptOutcome(Problems problems, SnapshotInputs.PromptInput input) {}

    /** Reads, validates, compiles and scans one prompt file; runs on a pool thread, reporting into {@code own}. */
    private static PromptOutcome promptFile(
            String name,
            Path file,
            StructuredFileReader reader,
            SecretScanner secrets,
            CompiledPrompts compiled,
            Problems own)
            throws IOException {
        PromptSource source;
        TextAnchor anchor = null;
        Utf8Files.Text fileText = null;
        if (PROMPT_TEXT_EXTENSIONS.contains(extension(file))) {
            fileText = reader.readUtf8Text(file, own);
            if (fileText == null) {
                return new PromptOutcome(own, null);
            }
            source = new PromptSource(name, fileText.text(), PromptSyntax.PLAIN, null, Map.of());
        } else {
            ParsedDocument doc = reader.read(file, own);
            if (doc == null) {
                return new PromptOutcome(own, null);
            }
            source = promptObject(name, doc, file, own);
            if (source == null) {
                return new PromptOutcome(own, null);
            }
            anchor = new TextAnchor(doc.line("prompt"), doc.column("prompt"), doc.scalarStyle("prompt"));
        }
        CompiledPrompt valid = validatePrompt(source, file, anchor, reader, own);
        if (valid == null) {
            return new PromptOutcome(own, null);
        }
        // A text prompt's file is its text: its bytes go into the entry as they are, not encoded again.
        CompiledPrompts.Entry entry =
                fileText == null ? compiled.store(valid) : compiled.store(valid, fileText.utf8(), fileText.start());
        SnapshotInputs.PromptInput input = new SnapshotInputs.PromptInput(name, file, entry);
        secrets.scanText(source.text(), "prompt '" + name + "'", file, 0, own);
        return new PromptOutcome(own, input);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // reading it reports why
        }
    }

    /** @return the key prefix of a config file: its relative path without extension, segments escaped */
    static String prefix(Path relative) {
        String prefix = "";
        int n = relative.getNameCount();
        for (int i = 0; i < n; i++) {
            String segment = relative.getName(i).toString();
            prefix = ConfigPath.child(prefix, i == n - 1 ? stripExtension(segment) : segment);
        }
        return prefix;
    }

    private static boolean claim(Map<String, Path> claimed, String name, Path file, String what, Problems problems) {
        Path other = claimed.putIfAbsent(name, file);
        if (other != null) {
            problems.error(
                    file,
                    0,
                    0,
                    "two inputs map to the same snapshot name, " + what + ": " + problems.display(other) + " and "
                            + problems.display(file) + "; rename or remove one of them");
            return true;
        }
        return false;
    }

    /** Adds a file's keys to the trial table; {@code doc} (null for a Dify app) locates an empty key. */
    private static boolean addConfig(
            ConfigTableWriter trial, String prefix, Object tree, ParsedDocument doc, Path file, Problems problems) {
        try {
            // Alone first: what fails here is this file's own fault (an empty key...), not a collision.
            new ConfigTableWriter().put(prefix, tree);
        } catch (IllegalArgumentException e) {
            String emptyKey = doc == null ? null : emptyKeyPath(tree, "");
            problems.error(
                    file,
                    emptyKey == null ? 0 : doc.line(emptyKey),
                    emptyKey == null ? 0 : doc.column(emptyKey),
                    e.getMessage());
            return false;
        }
        try {
            trial.put(prefix, tree);
            return true;
        } catch (IllegalArgumentException e) {
            problems.error(file, 0, 0, e.getMessage() + "; another input defines the same config key: rename one");
            return false;
        }
    }

    /** @return the document path of the first empty mapping key in {@code tree}, or null */
    private static String emptyKeyPath(Object tree, String path) {
        if (tree instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String child = ConfigPath.child(path, String.valueOf(e.getKey()));
                if ("".equals(e.getKey())) {
                    return child;
                }
                String found = emptyKeyPath(e.getValue(), child);
                if (found != null) {
                    return found;
                }
            }
        } else if (tree instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String found = emptyKeyPath(list.get(i), ConfigPath.index(path, i));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static PromptSource promptObject(String name, ParsedDocument doc, Path file, Problems problems) {
        if (!(doc.root() instanceof Map<?, ?> map)) {
            problems.error(
                    file,
                    doc.line(""),
                    doc.column(""),
                    "a YAML/JSON prompt must be an object {prompt, variables," + " metadata}");
            return null;
        }
        boolean ok = true;
        for (Object key : map.keySet()) {
            if (!PROMPT_OBJECT_KEYS.contains(key)) {
                problems.error(
                        file,
                        doc.line(ConfigPath.child("", key.toString())),
                        0,
                        "unknown key '" + key + "' in a prompt file; the allowed keys are "
                                + new TreeSet<>(PROMPT_OBJECT_KEYS));
                ok = false;
            }
        }
        if (!(map.get("prompt") instanceof String text)) {
            problems.error(file, doc.line("prompt"), 0, "a prompt file needs a 'prompt' key holding the template text");
            return null;
        }
        List<String> variables = null;
        Object declared = map.get("variables");
        if (declared != null) {
            if (!(declared instanceof List<?> list) || list.stream().anyMatch(v -> !(v instanceof String))) {
                problems.error(file, doc.line("variables"), 0, "'variables' must be a list of names");
                return null;
            }
            variables = list.stream().map(String.class::cast).toList();
        }
        Map<String, String> metadata = new TreeMap<>();
        Object meta = map.get("metadata");
        if (meta != null) {
            if (!(meta instanceof Map)) {
                problems.error(file, doc.line("metadata"), 0, "'metadata' must be a mapping");
                return null;
            }
            flattenMetadata("", meta, metadata);
        }
        PromptSyntax syntax = PromptSyntax.PLAIN;
        if (map.get("syntax") != null) {
            try {
                syntax = PromptSyntax.valueOf(map.get("syntax").toString().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.error(file, doc.line("syntax"), 0, "'syntax' must be plain, dify or jinja2");
                return null;
            }
        }
        return ok ? new PromptSource(name, text, syntax, variables, metadata) : null;
    }

    private static void flattenMetadata(String path, Object value, Map<String, String> out) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> flattenMetadata(ConfigPath.child(path, String.valueOf(k)), v, out));
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                flattenMetadata(ConfigPath.index(path, i), l.get(i), out);
            }
        } else {
            out.put(path, String.valueOf(value));
        }
    }

    /**
     * Where a prompt's text stands in its file: the value's line and column and its YAML scalar style
     * ({@link ParsedDocument#scalarStyle}). A text prompt file has none: the file is the text.
     */
    record TextAnchor(int line, int column, char style) {}

    /**
     * Compiles a prompt, checking it; problems point into the file, at its own line and column where provable.
     *
     * @return the compiled prompt, or null when it is invalid
     */
    private static CompiledPrompt validatePrompt(
            PromptSource source, Path file, TextAnchor anchor, StructuredFileReader reader, Problems problems) {
        try {
            CompiledPrompt compiled = PromptCompiler.compile(source);
            for (String unused : compiled.unusedDeclaredVariables()) {
                problems.warning(
                        file,
                        anchor == null ? 1 : anchor.line(),
                        0,
                        "prompt '" + source.name() + "' declares variable '" + unused + "' but never uses it");
            }
            return compiled;
        } catch (PromptSyntaxException e) {
            int line = e.line();
            int column = e.column();
            String message = e.getMessage();
            if (anchor != null) {
                // The compiler counts in the prompt's text; the file has the text at an offset, maybe indented.
                String inText = "line " + e.line() + ", column " + e.column();
                String fileText = reader.readUtf8(file, new Problems(null));
                int[] at = fileText == null || anchor.line() <= 0
                        ? null
                        : PromptPositions.inFile(
                                fileText, anchor.line(), anchor.column(), anchor.style(), source.text(), line, column);
                if (at != null) {
                    line = at[0];
                    column = at[1];
                    message = message.replace(inText, "line " + line + ", column " + column);
                } else {
                    line = anchor.line();
                    column = anchor.column();
                    message = message.replace(inText, inText + " of the prompt text");
                }
            }
            problems.error(file, line, column, "prompt '" + source.name() + "': " + message);
            return null;
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String stripExtension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash + 1 ? name.substring(0, dot) : name;
    }
}
