package dev.warmstart.snapshot.writer;

import dev.warmstart.snapshot.loader.PromptSyntax;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tokenizes prompt templates at build time, so that rendering at run time only concatenates. The rules of each
 * {@link PromptSyntax} are specified in {@code docs/format.md} §7.
 */
public final class PromptCompiler {
    /** The placeholder names of PLAIN templates; {@link #isPlainName} checks it without a regular expression. */
    static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    /**
     * Dify's own placeholder grammar: user inputs ({@code {{name}}}, at most 30 characters), its special
     * variables, and workflow references {@code {{#node_id.var[.sub...]#}}}. Anything else is literal text.
     */
    private static final Pattern DIFY_PLACEHOLDER = Pattern.compile(
            "\\{\\{(#[a-zA-Z0-9_]{1,50}"
                    + "(?:\\.[a-zA-Z_][a-zA-Z0-9_]{0,29}){1,10}#|[a-zA-Z_][a-zA-Z0-9_]{0,29}|#histories#|#query#|#context#)\\}\\}");

    private static final Pattern JINJA_BLOCK = Pattern.compile("\\{\\{(.*?)\\}\\}|\\{%(.*?)%\\}", Pattern.DOTALL);
    private static final Pattern JINJA_STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern JINJA_IDENTIFIER = Pattern.compile("(?<![\\w.|])[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern JINJA_FOR = Pattern.compile("^\\s*for\\s+([A-Za-z_][\\w\\s,]*?)\\s+in\\s");
    private static final Pattern JINJA_SET = Pattern.compile("^\\s*set\\s+([A-Za-z_]\\w*)\\s*=");
    private static final Set<String> JINJA_RESERVED = Set.of(
            "for",
            "in",
            "if",
            "elif",
            "else",
            "endif",
            "endfor",
            "not",
            "and",
            "or",
            "is",
            "true",
            "false",
            "none",
            "True",
            "False",
            "None",
            "set",
            "endset",
            "loop",
            "macro",
            "endmacro",
            "block",
            "endblock",
            "extends",
            "include",
            "import",
            "from",
            "as",
            "with",
            "endwith",
            "raw",
            "endraw",
            "filter",
            "endfilter",
            "call",
            "endcall",
            "recursive",
            "range",
            "dict",
            "namespace",
            "lipsum",
            "cycler",
            "joiner",
            "super",
            "self",
            "caller",
            "varargs",
            "kwargs",
            "defined",
            "undefined");

    private PromptCompiler() {}

    /**
     * Compiles one template.
     *
     * @throws PromptSyntaxException for an unbalanced <code>{{</code> or an invalid variable name (PLAIN), or a used
     *     variable that is not declared
     */
    public static CompiledPrompt compile(PromptSource source) throws PromptSyntaxException {
        List<CompiledPrompt.Segment> raw = new ArrayList<>();
        UsedVariables used = new UsedVariables();
        String text = source.text();
        switch (source.syntax()) {
            case PLAIN -> tokenizePlain(text, raw, used);
            case DIFY -> tokenizeDify(text, raw, used);
            case JINJA2 -> jinjaVariables(text, used);
            default -> throw new IllegalStateException("unknown syntax " + source.syntax());
        }

        List<String> variables;
        List<String> unused = new ArrayList<>();
        // Every lookup below goes through a map: a prompt may have 100k variables, and a list search per
        // variable made compiling it quadratic.
        Map<String, Integer> variableIndex = new HashMap<>();
        if (source.declaredVariables() != null) {
            variables = new ArrayList<>(new LinkedHashSet<>(source.declaredVariables()));
            for (int i = 0; i < variables.size(); i++) {
                variableIndex.put(variables.get(i), i);
            }
            for (int i = 0; i < used.names.size(); i++) {
                if (!variableIndex.containsKey(used.names.get(i))) {
                    int[] lc = lineColumn(text, used.firstUse.get(i));
                    throw new PromptSyntaxException(
                            "variable '" + used.names.get(i) + "' is used at line " + lc[0] + ", column " + lc[1]
                                    + " but not declared; add it to 'variables' " + abbreviate(variables),
                            lc[0],
                            lc[1]);
                }
            }
            for (String v : variables) {
                if (!used.index.containsKey(v)) {
                    unused.add(v);
                }
            }
        } else {
            variables = used.names;
            for (int i = 0; i < variables.size(); i++) {
                variableIndex.put(variables.get(i), i);
            }
        }

        // Slots refer to variables by index into the stored list.
        List<CompiledPrompt.Segment> segments = new ArrayList<>();
        for (CompiledPrompt.Segment s : raw) {
            segments.add(
                    s.variableIndex() < 0
                            ? s
                            : CompiledPrompt.Segment.slot(variableIndex.get(used.names.get(s.variableIndex()))));
        }
        return new CompiledPrompt(
                source.name(),
                source.syntax(),
                text,
                variables,
                used.names,
                unused,
                new TreeMap<>(source.metadata()),
                segments);
    }

    /** The variables a text uses, in order of first use, with where each is first used. */
    private static final class UsedVariables {
        final List<String> names = new ArrayList<>();
        final List<Integer> firstUse = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();

        /** @return the index of {@code name}, added at {@code position} if it is new */
        int indexOf(String name, int position) {
            Integer i = index.get(name);
            if (i == null) {
                i = names.size();
                index.put(name, i);
                names.add(name);
                firstUse.add(position);
            }
            return i;
        }
    }

    private static void tokenizePlain(String text, List<CompiledPrompt.Segment> segments, UsedVariables used)
            throws PromptSyntaxException {
        // Jumps from one "{{" to the next (String.indexOf), taking the literal runs between them whole, and
        // computes line and column only for an error: linear in the template's length.
        Literal literal = new Literal(text, segments);
        int i = 0;
        int n = text.length();
        while (i < n) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                literal.add(i, n);
                break;
            }
            if (open - 1 >= i && text.charAt(open - 1) == '\\') {
                // "\\{{" is a literal "{{": the text before the backslash, then the braces themselves
                literal.add(i, open - 1);
                literal.add(open, open + 2);
                i = open + 2;
                continue;
            }
            literal.add(i, open);
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                int[] lc = lineColumn(text, open);
                throw new PromptSyntaxException(
                        "unbalanced '{{' at line " + lc[0] + ", column " + lc[1]
                                + ": close it with '}}' or write a literal '{{' as '\\{{'",
                        lc[0],
                        lc[1]);
            }
            String name = text.substring(open + 2, close).strip();
            if (!isPlainName(name)) {
                int[] lc = lineColumn(text, open);
                throw new PromptSyntaxException(
                        "invalid variable name '" + abbreviate(name) + "' at line " + lc[0]
                                + ", column " + lc[1]
                                + ": use letters, digits and '_' (dots between parts), or write a "
                                + "literal '{{' as '\\{{'",
                        lc[0],
                        lc[1]);
            }
            literal.flush();
            segments.add(CompiledPrompt.Segment.slot(used.indexOf(name, open)));
            i = close + 2;
        }
        literal.flush();
    }

    /**
     * @return whether {@code name} matches {@link #PLAIN_NAME}: identifiers joined by dots. Checked by hand, as it
     *     runs for every placeholder of every template.
     */
    static boolean isPlainName(String name) {
        boolean start = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
            if (start) {
                if (!letter) {
                    return false;
                }
                start = false;
            } else if (c == '.') {
                start = true;
            } else if (!letter && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return !start;
    }

    private static void tokenizeDify(String text, List<CompiledPrompt.Segment> segments, UsedVariables used) {
        Matcher m = DIFY_PLACEHOLDER.matcher(text);
        int last = 0;
        Literal literal = new Literal(text, segments);
        while (m.find()) {
            literal.add(last, m.start());
            literal.flush();
            segments.add(CompiledPrompt.Segment.slot(used.indexOf(m.group(1), m.start())));
            last = m.end();
        }
        literal.add(last, text.length());
        literal.flush();
    }

    /**
     * Lists the root names a Jinja2 template reads: identifiers in {@code {{ }}} and {@code {% %}} blocks that are
     * not keywords, tests or filters, attribute names, string contents, or names the template binds itself
     * ({@code for x in}, {@code set x =}). A heuristic: Jinja2 is not executed at build time.
     */
    private static void jinjaVariables(String text, UsedVariables used) {
        Set<String> bound = new LinkedHashSet<>();
        Matcher block = JINJA_BLOCK.matcher(text);
        while (block.find()) {
            String body = block.group(1) != null ? block.group(1) : block.group(2);
            int bodyStart = block.group(1) != null ? block.start(1) : block.start(2);
            if (block.group(2) != null) {
                Matcher f = JINJA_FOR.matcher(body);
                if (f.find()) {
                    for (String name : f.group(1).split(",")) {
                        bound.add(name.strip());
                    }
                }
                Matcher s = JINJA_SET.matcher(body);
                if (s.find()) {
                    bound.add(s.group(1));
                }
            }
            String code = JINJA_STRING
                    .matcher(body)
                    .replaceAll(m -> " ".repeat(m.group().length()));
            Matcher id = JINJA_IDENTIFIER.matcher(code);
            while (id.find()) {
                String name = id.group();
                if (JINJA_RESERVED.contains(name) || bound.contains(name) || isFilterOrTest(code, id.start())) {
                    continue;
                }
                used.indexOf(name, bodyStart + id.start());
            }
        }
    }

    /** Filters follow {@code |}, tests follow {@code is}: neither is a variable. */
    private static boolean isFilterOrTest(String code, int start) {
        int j = start - 1;
        while (j >= 0 && Character.isWhitespace(code.charAt(j))) {
            j--;
        }
        if (j >= 0 && code.charAt(j) == '|') {
            return true;
        }
        return j >= 1 && code.startsWith("is", j - 1) && (j < 2 || !Character.isLetterOrDigit(code.charAt(j - 2)));
    }

    /**
     * Literal text being gathered from the source, as one contiguous run of it: a gap (the backslash of an
     * escape) ends the run, so every literal segment stands verbatim in the source text.
     */
    private static final class Literal {
        private final String text;
        private final List<CompiledPrompt.Segment> segments;
        private int start = -1;
        private int end = -1;

        Literal(String text, List<CompiledPrompt.Segment> segments) {
            this.text = text;
            this.segments = segments;
        }

        void add(int from, int to) {
            if (from == to) {
                return;
            }
            if (start >= 0 && from != end) {
                flush();
            }
            if (start < 0) {
                start = from;
            }
            end = to;
        }

        void flush() {
            if (start >= 0) {
                segments.add(CompiledPrompt.Segment.literal(start, end));
                start = -1;
                end = -1;
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /** @return the list as {@code [a, b, ...]}, its first names only when it is long */
    private static String abbreviate(List<String> names) {
        return names.size() <= 20
                ? names.toString()
                : "[" + String.join(", ", names.subList(0, 20)) + ", ... (" + names.size() + " in all)]";
    }

    /** @return 1-based line and column of {@code offset} in {@code text} ({@code \r\n}, {@code \n}, {@code \r} end lines) */
    static int[] lineColumn(String text, int offset) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
                line++;
                column = 1;
            } else if (c != '\r') {
                column++;
            }
        }
        return new int[] {line, column};
    }
}
