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
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Reads and validates every input of a snapshot — config files, prompt templates, Dify exports — and reports all
 * problems of the run together.
 */
public final class InputCompiler {
    private static final Set<String> PROMPT_TEXT_EXTENSIONS = Set.of("prompt", "txt", "md");
    private static final Set<String> PROMPT_OBJECT_KEYS = Set.of("prompt", "variables", "metadata", "syntax");

    /**
     * Compiles the inputs.
     *
     * @throws InputProblemsException listing every error found
     * @throws IOException when a directory cannot be listed
     */
    public SnapshotInputs compile(InputSettings settings) throws InputProblemsException, IOException {
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

        for (Path file : list(settings.configDirectory(), settings.configIncludes(), settings.configExcludes())) {
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
            if (addConfig(trial, prefix, doc.root(), file, problems)) {
                configs.add(new SnapshotInputs.ConfigInput(prefix, doc.root(), file));
                secrets.scanTree(doc.root(), prefix, doc, UnaryOperator.identity(), file, problems);
            }
        }

        for (Path file : list(settings.promptsDirectory(), settings.promptIncludes(), settings.promptExcludes())) {
            inputFiles.add(file);
            String name = stripExtension(
                    settings.promptsDirectory().relativize(file).toString().replace('\\', '/'));
            if (claim(promptNames, name, file, "prompt '" + name + "'", problems)) {
                continue;
            }
            PromptSource source;
            int textLine = 1;
            boolean block = false;
            if (PROMPT_TEXT_EXTENSIONS.contains(extension(file))) {
                source = textPrompt(name, file, reader, problems);
                if (source == null) {
                    continue;
                }
            } else {
                ParsedDocument doc = reader.read(file, problems);
                if (doc == null) {
                    continue;
                }
                source = promptObject(name, doc, file, problems);
                if (source == null) {
                    continue;
                }
                textLine = doc.line("prompt");
                block = doc.isBlockScalar("prompt");
            }
            if (validatePrompt(source, file, textLine, block, problems)) {
                // Only the name is kept; the text is read again when the snapshot is written (bounded memory).
                prompts.add(new SnapshotInputs.PromptInput(name, file, () -> reload(name, file, reader)));
                secrets.scanText(source.text(), "prompt '" + name + "'", file, 0, problems);
            }
        }

        int appCount = 0;
        StructuredFileReader appReader = reader.lastDuplicateKeyWins();
        DifyAppCompiler dify = new DifyAppCompiler(appReader, settings.difyVersionPolicy());
        for (Path file : list(settings.appsDirectory(), settings.appIncludes(), settings.appExcludes())) {
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
            if (addConfig(trial, prefix, app.configTree(), file, problems)) {
                configs.add(new SnapshotInputs.ConfigInput(prefix, app.configTree(), file));
                secrets.scanTree(app.configTree(), prefix, app.document(), app::documentPath, file, problems);
            }
            for (DifyApp.AppPrompt prompt : app.prompts()) {
                String name = prompt.source().name();
                if (claim(promptNames, name, file, "prompt '" + name + "'", problems)) {
                    continue;
                }
                if (validatePrompt(prompt.source(), file, prompt.line(), prompt.blockScalar(), problems)) {
                    PromptSource source = prompt.source();
                    prompts.add(new SnapshotInputs.PromptInput(name, file, () -> source));
                }
            }
        }

        if (problems.hasErrors()) {
            throw new InputProblemsException(problems.errors());
        }
        inputFiles.sort(null);
        return new SnapshotInputs(configs, prompts, appCount, problems.warnings(), inputFiles);
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

    private static boolean addConfig(
            ConfigTableWriter trial, String prefix, Object tree, Path file, Problems problems) {
        try {
            trial.put(prefix, tree);
            return true;
        } catch (IllegalArgumentException e) {
            problems.error(file, 0, 0, e.getMessage() + "; two inputs define the same config key: rename one");
            return false;
        }
    }

    private static PromptSource textPrompt(String name, Path file, StructuredFileReader reader, Problems problems)
            throws IOException {
        String text = reader.readUtf8(file, problems);
        return text == null ? null : new PromptSource(name, text, PromptSyntax.PLAIN, null, Map.of());
    }

    /** Reads a validated prompt file again, to write it; it must still be valid. */
    private static PromptSource reload(String name, Path file, StructuredFileReader reader) throws IOException {
        Problems problems = new Problems(file.getParent());
        PromptSource source;
        if (PROMPT_TEXT_EXTENSIONS.contains(extension(file))) {
            source = textPrompt(name, file, reader, problems);
        } else {
            ParsedDocument doc = reader.read(file, problems);
            source = doc == null ? null : promptObject(name, doc, file, problems);
        }
        if (source == null || problems.hasErrors()) {
            throw new IOException(file + " changed during the build and is no longer valid; build again");
        }
        return source;
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
                                + new java.util.TreeSet<>(PROMPT_OBJECT_KEYS));
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

    /** Compiles a prompt to check it; problems point into the file, at the template's own line when known. */
    private static boolean validatePrompt(
            PromptSource source, Path file, int textLine, boolean blockScalar, Problems problems) {
        try {
            CompiledPrompt compiled = PromptCompiler.compile(source);
            for (String unused : compiled.unusedDeclaredVariables()) {
                problems.warning(
                        file,
                        textLine,
                        0,
                        "prompt '" + source.name() + "' declares variable '" + unused + "' but never uses it");
            }
            return true;
        } catch (PromptSyntaxException e) {
            int line = e.line();
            if (textLine > 0) {
                // A block scalar's text starts on the line after its key; a quoted one on the key's line.
                line = textLine + e.line() - 1 + (blockScalar ? 1 : 0);
            }
            problems.error(
                    file,
                    line,
                    textLine > 1 && !blockScalar ? 0 : e.column(),
                    "prompt '" + source.name() + "': " + e.getMessage());
            return false;
        }
    }

    private static List<Path> list(Path dir, List<String> includes, List<String> excludes) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        List<PathMatcher> in = matchers(includes);
        List<PathMatcher> out = matchers(excludes);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> matches(in, dir.relativize(f)) && !matches(out, dir.relativize(f)))
                    .sorted()
                    .toList();
        }
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        List<PathMatcher> out = new ArrayList<>();
        for (String glob : globs) {
            out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            // "**/*.yml" should match top-level files too, as in Maven's own includes.
            if (glob.startsWith("**/")) {
                out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
            }
        }
        return out;
    }

    private static boolean matches(List<PathMatcher> matchers, Path relative) {
        for (PathMatcher m : matchers) {
            if (m.matches(relative)) {
                return true;
            }
        }
        return false;
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
