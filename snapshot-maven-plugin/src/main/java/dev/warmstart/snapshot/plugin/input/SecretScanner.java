package dev.warmstart.snapshot.plugin.input;

import dev.warmstart.snapshot.format.ConfigPath;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of snapshots. Two rules, each an error naming the file, line and key path and suggesting an
 * {@code ${env:NAME}} placeholder instead (the value itself is never printed):
 * <ol>
 *   <li>a key whose name says it holds a secret ({@code api_key}, {@code secret}, {@code password},
 *       {@code token}, {@code authorization}, {@code private_key}, {@code credentials}...) with a literal,
 *       non-empty string value — one that is not made only of {@code ${env:…}}/{@code ${sys:…}} placeholders;</li>
 *   <li>any string shaped like a known credential, wherever it is: OpenAI/Anthropic {@code sk-} keys, AWS access
 *       keys, GitHub and Slack tokens, Google API keys, JWTs, PEM private keys, long {@code Bearer} tokens.</li>
 * </ol>
 * An allowlist of key-path globs ({@code apps.*.model.token_limit}) silences false positives.
 */
public final class SecretScanner {
    /**
     * Key names (lower case, without {@code _} and {@code -}) that hold secrets when they end a key: so
     * {@code openai_api_key} counts, while {@code max_tokens}, {@code token_limit} and {@code tokenizer} do not.
     */
    private static final List<String> SECRET_KEY_SUFFIXES = List.of(
            "apikey",
            "secret",
            "secretkey",
            "clientsecret",
            "password",
            "passwd",
            "passphrase",
            "token",
            "accesstoken",
            "refreshtoken",
            "authtoken",
            "bearertoken",
            "authorization",
            "privatekey",
            "credentials",
            "credential",
            "accesskey",
            "secretaccesskey",
            "sessiontoken",
            "signingkey",
            "encryptionkey",
            "webhooksecret");

    private static final Pattern PLACEHOLDERS_ONLY = Pattern.compile("(\\s*\\$\\{(env|sys):[^}]*\\}\\s*)+");

    // Each shape starts with a fixed literal: a text holding none of a shape's anchors cannot match it, and
    // String.indexOf finds that out at memory speed, so the regular expressions only run on the rare text that
    // holds an anchor (scanning 100 MiB of prompts went from seconds to milliseconds).
    private static final List<Shape> SHAPES = List.of(
            new Shape("an Anthropic API key", Pattern.compile("\\bsk-ant-[A-Za-z0-9_-]{20,}"), "sk-ant-"),
            new Shape("an OpenAI-style API key", Pattern.compile("\\bsk-(proj-|svcacct-)?[A-Za-z0-9_-]{20,}"), "sk-"),
            new Shape("an AWS access key id", Pattern.compile("\\b(AKIA|ASIA)[0-9A-Z]{16}\\b"), "AKIA", "ASIA"),
            new Shape(
                    "a GitHub token",
                    Pattern.compile("\\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\\b|\\bgithub_pat_[A-Za-z0-9_]{22,}"),
                    "ghp_",
                    "gho_",
                    "ghu_",
                    "ghs_",
                    "ghr_",
                    "github_pat_"),
            new Shape(
                    "a Slack token",
                    Pattern.compile("\\bxox[baprs]-[A-Za-z0-9-]{10,}"),
                    "xoxb-",
                    "xoxa-",
                    "xoxp-",
                    "xoxr-",
                    "xoxs-"),
            new Shape("a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}\\b"), "AIza"),
            new Shape(
                    "a JSON Web Token",
                    Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
                    "eyJ"),
            new Shape(
                    "a PEM private key", Pattern.compile("-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----"), "PRIVATE KEY-----"),
            new Shape("a bearer token", Pattern.compile("\\bBearer\\s+[A-Za-z0-9._~+/=-]{20,}"), "Bearer"));

    private record Shape(String description, Pattern pattern, String... anchors) {
        /**
         * @param present the anchors {@code text} holds ({@link Anchors#present})
         * @return the first match in {@code text}, or null; the regular expression runs only if an anchor occurs
         */
        Matcher find(String text, BitSet present) {
            for (String anchor : anchors) {
                if (present.get(ANCHORS.indexOf(anchor))) {
                    Matcher m = pattern.matcher(text);
                    return m.find() ? m : null;
                }
            }
            return null;
        }
    }

    private static final Anchors ANCHORS = new Anchors(SHAPES);

    /**
     * Finds which of every shape's anchors a text holds with one search per key character (five), instead of
     * one {@code contains} per anchor (nineteen). Each anchor is looked for at its least common character: its first
     * punctuation mark ({@code -} of {@code sk-} and of {@code PRIVATE KEY-----}, {@code _} of {@code ghp_}), else its
     * first character that is not a lower-case letter ({@code J} of {@code eyJ}), so in ordinary prose the search
     * rarely stops, and the anchors share few key characters.
     */
    private static final class Anchors {
        private final List<String> anchors = new ArrayList<>();
        private final int[] keyOffset;
        private final int[][] byKeyChar = new int[128][];

        Anchors(List<Shape> shapes) {
            for (Shape shape : shapes) {
                for (String a : shape.anchors()) {
                    if (!anchors.contains(a)) {
                        anchors.add(a);
                    }
                }
            }
            keyOffset = new int[anchors.size()];
            for (int i = 0; i < anchors.size(); i++) {
                String a = anchors.get(i);
                int k = 0;
                while (k < a.length() && (Character.isLetterOrDigit(a.charAt(k)) || a.charAt(k) == ' ')) {
                    k++;
                }
                if (k == a.length()) {
                    k = 0;
                    while (k < a.length() && a.charAt(k) >= 'a' && a.charAt(k) <= 'z') {
                        k++;
                    }
                    k = k == a.length() ? 0 : k;
                }
                keyOffset[i] = k;
                char c = a.charAt(k);
                int[] old = byKeyChar[c] == null ? new int[0] : byKeyChar[c];
                int[] grown = Arrays.copyOf(old, old.length + 1);
                grown[old.length] = i;
                byKeyChar[c] = grown;
            }
        }

        int indexOf(String anchor) {
            return anchors.indexOf(anchor);
        }

        /** @return a bit per anchor (in {@link #indexOf} numbering): set when {@code text} contains it */
        BitSet present(String text) {
            BitSet found = new BitSet(anchors.size());
            // One String.indexOf(char) pass per key character (vectorised by the JDK), stopping only where one
            // stands: a handful of passes at memory speed, instead of a test per character or per anchor.
            for (char c = 0; c < byKeyChar.length; c++) {
                int[] candidates = byKeyChar[c];
                if (candidates == null) {
                    continue;
                }
                for (int i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
                    for (int a : candidates) {
                        int start = i - keyOffset[a];
                        if (start >= 0 && text.startsWith(anchors.get(a), start)) {
                            found.set(a);
                        }
                    }
                }
            }
            return found;
        }
    }

    private final List<PathMatcher> allowlist = new ArrayList<>();
    private final List<String> allowlistText;

    /** @param allowlistGlobs key-path globs whose values are accepted (may be null) */
    public SecretScanner(List<String> allowlistGlobs) {
        this.allowlistText = allowlistGlobs == null ? List.of() : List.copyOf(allowlistGlobs);
        for (String glob : allowlistText) {
            // Paths are matched as if '.' were '/', so '*' stays inside one key and '**' spans several.
            allowlist.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.replace('.', '/')));
        }
    }

    /**
     * Scans a config tree.
     *
     * @param tree the values
     * @param prefix the key prefix the tree is stored under ("" for none)
     * @param document where the tree came from, for line numbers; may be null
     * @param documentPath maps a path relative to the tree to the path of the same value in {@code document}
     */
    public void scanTree(
            Object tree,
            String prefix,
            ParsedDocument document,
            UnaryOperator<String> documentPath,
            Path file,
            Problems problems) {
        walk(tree, prefix, "", document, documentPath, file, problems);
    }

    /** Scans free text, such as a prompt, for credential-shaped strings. */
    public void scanText(String text, String what, Path file, int line, Problems problems) {
        BitSet present = ANCHORS.present(text);
        for (Shape shape : SHAPES) {
            Matcher m = shape.find(text, present);
            if (m != null) {
                problems.error(
                        file,
                        line,
                        0,
                        what + " contains what looks like " + shape.description() + " (" + redact(m.group())
                                + "); secrets must not be baked into a snapshot: pass it at run time instead");
                return;
            }
        }
    }

    private void walk(
            Object value,
            String path,
            String relative,
            ParsedDocument document,
            UnaryOperator<String> documentPath,
            Path file,
            Problems problems) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                walk(
                        e.getValue(),
                        ConfigPath.child(path, key),
                        ConfigPath.child(relative, key),
                        document,
                        documentPath,
                        file,
                        problems);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(
                        list.get(i),
                        ConfigPath.index(path, i),
                        ConfigPath.index(relative, i),
                        document,
                        documentPath,
                        file,
                        problems);
            }
        } else if (value instanceof String s && !s.isBlank() && !isAllowed(path)) {
            String at = document == null ? null : documentPath.apply(relative);
            int line = at == null ? 0 : document.line(at);
            int column = at == null ? 0 : document.column(at);
            if (isSecretKey(path) && !PLACEHOLDERS_ONLY.matcher(s).matches()) {
                problems.error(
                        file,
                        line,
                        column,
                        "key '" + path + "' holds a literal secret (" + redact(s)
                                + "); secrets must not be baked into a snapshot: write ${env:" + envName(path)
                                + "} and set that variable where the service runs, or add the key to <secretAllowlist> if it is "
                                + "not a secret");
                return;
            }
            BitSet present = ANCHORS.present(s);
            for (Shape shape : SHAPES) {
                Matcher m = shape.find(s, present);
                if (m != null) {
                    problems.error(
                            file,
                            line,
                            column,
                            "key '" + path + "' holds what looks like "
                                    + shape.description() + " (" + redact(m.group()) + "); write ${env:" + envName(path)
                                    + "} instead, or add the key to <secretAllowlist> if it is not a secret");
                    return;
                }
            }
        }
    }

    /** @return whether the last key of {@code path} names a secret */
    static boolean isSecretKey(String path) {
        List<Object> segments = ConfigPath.parse(path);
        String last = null;
        for (int i = segments.size() - 1; i >= 0 && last == null; i--) {
            if (segments.get(i) instanceof String s) {
                last = s;
            }
        }
        if (last == null) {
            return false;
        }
        String normalized = last.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        for (String suffix : SECRET_KEY_SUFFIXES) {
            if (normalized.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    private boolean isAllowed(String path) {
        if (allowlist.isEmpty()) {
            return false;
        }
        Path asPath = Path.of(path.replace('.', '/').replace("[", "/[").replace("//", "/"));
        for (PathMatcher m : allowlist) {
            if (m.matches(asPath)) {
                return true;
            }
        }
        return allowlistText.contains(path);
    }

    /** @return a suggested environment variable name: {@code model.api_key} → {@code MODEL_API_KEY} */
    static String envName(String path) {
        String name = path.replaceAll("\\[\\d+\\]", "")
                .replaceAll("[^A-Za-z0-9]+", "_")
                .replaceAll("^_+|_+$", "");
        return name.isEmpty() ? "SECRET" : name.toUpperCase(Locale.ROOT);
    }

    /** Shows the shape of a secret, never the secret: a short prefix and its length. */
    static String redact(String secret) {
        String s = secret.strip();
        String prefix = s.length() > 12 ? s.substring(0, Math.min(4, s.length() / 4)) : "";
        return (prefix.isEmpty() ? "" : prefix + "…") + "(" + s.length() + " chars)";
    }
}
