package dev.warmstart.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmstart.snapshot.loader.Snapshot;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of {@code README.md} and {@code docs/*.md} against the loader, so a
 * snippet in the documentation can never stop compiling unnoticed.
 *
 * <p>How a block is compiled:
 *
 * <ul>
 *   <li>a block that declares a type ({@code class}, {@code record}, {@code interface}, {@code enum} at the
 *       start of a line) is a compilation unit, compiled as written;
 *   <li>otherwise it is a fragment: its leading {@code import} lines become the imports, and the rest becomes
 *       the body of a method that may throw any exception. A fragment with imports gets exactly those, so a
 *       snippet that forgets one fails here as it would for a reader who pastes it; a fragment without imports
 *       gets the loader's packages ({@code loader}, {@code format}, {@code store}, {@code writer}) and
 *       {@code java.io}, {@code java.net}, {@code java.nio.file}, {@code java.time}, {@code java.util}.
 * </ul>
 *
 * <p>Sample variables a snippet uses must be declared in the snippet: that is what a reader pastes.
 *
 * <p>A block that needs a library the loader's test class path lacks (Micrometer, Spring Boot...) is skipped
 * only when the line right before its opening fence (blank lines aside) is
 * {@code <!-- snippet-check: skip (reason) -->}, the reason saying what it needs. Any other way of escaping
 * this check is a bug in the documentation.
 */
class DocSnippetsCompileTest {
    private static final String SKIP = "<!-- snippet-check: skip";
    private static final Pattern TYPE_DECLARATION =
            Pattern.compile("(?m)^(?:public\\s+|final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
    private static final String DEFAULT_IMPORTS = String.join(
            "\n",
            "import dev.warmstart.snapshot.format.*;",
            "import dev.warmstart.snapshot.loader.*;",
            "import dev.warmstart.snapshot.store.*;",
            "import dev.warmstart.snapshot.writer.*;",
            "import java.io.*;",
            "import java.net.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import java.util.*;");

    @TempDir
    Path out;

    /** A {@code ```java} block: where it is, and its text. */
    record Block(Path file, int line, String text, boolean skipped) {
        String where() {
            return file.getFileName() + ":" + line;
        }
    }

    /** A generated compilation unit and the block line its first body line stands for. */
    record Unit(Block block, String packageName, String source, int firstBodyLine) {
        String className() {
            Matcher type = TYPE_DECLARATION.matcher(block.text());
            return type.find() ? type.group(1) : "Snippet";
        }
    }

    @Test
    void everyJavaSnippetInTheDocsCompiles() throws Exception {
        List<Block> blocks = new ArrayList<>();
        Path root = projectRoot();
        blocks.addAll(blocks(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            for (Path doc :
                    docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                blocks.addAll(blocks(doc));
            }
        }
        assertThat(blocks).as("java blocks in README.md and docs/*.md").isNotEmpty();

        List<Unit> units = new ArrayList<>();
        for (Block block : blocks) {
            if (!block.skipped()) {
                units.add(unit(block, units.size()));
            }
        }
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-Xmaxerrs", "1000"));
        args.addAll(List.of("-d", out.resolve("classes").toString()));
        String classPath = Path.of(Snapshot.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                + File.pathSeparator
                + System.getProperty("java.class.path");
        args.addAll(List.of("-classpath", classPath));
        Map<Path, Unit> byFile = new HashMap<>();
        for (Unit unit : units) {
            Path source = out.resolve("src").resolve(unit.packageName()).resolve(unit.className() + ".java");
            Files.createDirectories(source.getParent());
            Files.writeString(source, unit.source());
            byFile.put(source, unit);
            args.add(source.toString());
        }
        // The javac tool rather than javax.tools: the tests run patched into the loader's module, which does not
        // read java.compiler, while ToolProvider is in java.base.
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        StringWriter output = new StringWriter();
        int status = javac.run(new PrintWriter(output), new PrintWriter(output), args.toArray(new String[0]));

        List<String> errors = new ArrayList<>();
        Pattern errorLine = Pattern.compile("^(.+\\.java):(\\d+): error: (.*)$");
        List<String> lines = output.toString().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher error = errorLine.matcher(lines.get(i));
            if (!error.matches()) {
                continue;
            }
            String message = error.group(3);
            // javac names the missing symbol two or three lines further down
            for (int k = i + 1; k < Math.min(i + 4, lines.size()); k++) {
                if (lines.get(k).strip().startsWith("symbol:")) {
                    message += " (" + lines.get(k).strip() + ")";
                }
            }
            Unit unit = byFile.get(Path.of(error.group(1)));
            if (unit != null) {
                long line = unit.block().line() + Long.parseLong(error.group(2)) - unit.firstBodyLine();
                errors.add(unit.block().file().getFileName() + ":" + line + ": " + message);
            } else {
                errors.add(lines.get(i));
            }
        }
        assertThat(errors)
                .as("snippets that do not compile (file:line of the snippet)")
                .isEmpty();
        assertThat(status).as("javac output:%n%s", output).isZero();
    }

    @Test
    void theSkipMarkerSkipsOnlyTheBlockRightAfterIt(@TempDir Path dir) throws IOException {
        Path doc = dir.resolve("doc.md");
        Files.writeString(
                doc,
                String.join(
                        "\n",
                        "<!-- snippet-check: skip (needs Micrometer) -->",
                        "",
                        "```java",
                        "MeterRegistry r;",
                        "```",
                        "text",
                        "```java",
                        "int x = 1;",
                        "```",
                        ""));
        List<Block> blocks = blocks(doc);
        assertThat(blocks).extracting(Block::skipped).containsExactly(true, false);
        assertThat(blocks).extracting(Block::line).containsExactly(4, 8);
    }

    /** @return the {@code ```java} blocks of a Markdown file, with the line of each block's first line */
    static List<Block> blocks(Path markdown) throws IOException {
        List<String> lines = Files.readAllLines(markdown);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            int previous = i - 1;
            while (previous >= 0 && lines.get(previous).isBlank()) {
                previous--;
            }
            boolean skipped = previous >= 0 && lines.get(previous).strip().startsWith(SKIP);
            StringBuilder text = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals("```")) {
                text.append(lines.get(j)).append('\n');
                j++;
            }
            out.add(new Block(markdown, i + 2, text.toString(), skipped));
            i = j;
        }
        return out;
    }

    private static Unit unit(Block block, int n) {
        String pkg = "snippet" + n;
        Matcher type = TYPE_DECLARATION.matcher(block.text());
        if (type.find()) {
            return new Unit(block, pkg, "package " + pkg + ";" + block.text(), 1);
        }
        List<String> lines = block.text().lines().toList();
        int body = 0;
        StringBuilder imports = new StringBuilder();
        while (body < lines.size()
                && (lines.get(body).startsWith("import ") || lines.get(body).isBlank())) {
            imports.append(lines.get(body)).append(' ');
            body++;
        }
        String header = "package " + pkg + "; "
                + (imports.toString().isBlank() ? DEFAULT_IMPORTS.replace('\n', ' ') : imports.toString())
                + " class Snippet { void snippet() throws Exception {\n";
        String source = header + String.join("\n", lines.subList(body, lines.size())) + "\n}}\n";
        // Line 2 of the source is line `body` of the block (0-based), i.e. the block's line + body.
        return new Unit(block, pkg, source, 2 - body);
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as("a directory above %s holding README.md", Path.of("").toAbsolutePath())
                .isNotNull();
        return dir;
    }
}
