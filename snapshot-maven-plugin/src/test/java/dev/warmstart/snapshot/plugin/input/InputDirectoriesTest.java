package dev.warmstart.snapshot.plugin.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which directories a build reads, what it says about them, and links that lead out of them. */
class InputDirectoriesTest {
    @TempDir
    Path project;

    @TempDir
    Path elsewhere;

    final List<String> log = new ArrayList<>();

    private Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private Path inputs(String relative) {
        return project.resolve("src/main/snapshot").resolve(relative);
    }

    private SnapshotInputs compile(InputSettings.Builder settings) throws Exception {
        return new InputCompiler(log::add).compile(settings.build());
    }

    private List<Problem> errors(InputSettings.Builder settings) throws Exception {
        try {
            compile(settings);
        } catch (InputProblemsException e) {
            return e.problems();
        }
        throw new AssertionError("expected the inputs to be refused");
    }

    @Test
    void aLinkToAFileOutsideTheInputDirectoryFailsNamingTheFileAndTheTarget() throws Exception {
        Path secret = write(elsewhere.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        write(inputs("prompts/ok.txt"), "Hello {{name}}");
        Files.createSymbolicLink(inputs("prompts/passwd.txt"), secret);

        List<Problem> errors = errors(InputSettings.builder(project));

        assertThat(errors).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(Path.of("src/main/snapshot/prompts/passwd.txt"));
            assertThat(p.message())
                    .contains(secret.toRealPath().toString(), "outside the prompts directory", "followExternalLinks");
        });
    }

    @Test
    void aLinkedDirectoryOutsideTheInputDirectoryFailsWithoutBeingRead() throws Exception {
        write(elsewhere.resolve("shared/model.yml"), "name: gpt-4o\n");
        Files.createDirectories(inputs("config"));
        Files.createSymbolicLink(inputs("config/shared"), elsewhere.resolve("shared"));

        List<Problem> errors = errors(InputSettings.builder(project));

        assertThat(errors).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(Path.of("src/main/snapshot/config/shared"));
            assertThat(p.message())
                    .contains(
                            "a directory",
                            elsewhere.resolve("shared").toRealPath().toString());
        });
    }

    @Test
    void followExternalLinksReadsWhatTheLinksPointAt() throws Exception {
        Path shared = write(elsewhere.resolve("greet.txt"), "Hello {{name}}");
        Files.createDirectories(inputs("prompts"));
        Files.createSymbolicLink(inputs("prompts/greet.txt"), shared);

        SnapshotInputs inputs = compile(InputSettings.builder(project).followExternalLinks(true));

        assertThat(inputs.prompts())
                .extracting(SnapshotInputs.PromptInput::name)
                .containsExactly("greet");
        assertThat(ReadBack.template(inputs, inputs.prompts().get(0)).text()).isEqualTo("Hello {{name}}");
        assertThat(log).anyMatch(line -> line.contains("Following") && line.contains("greet.txt"));
    }

    @Test
    void linksThatStayInsideTheInputDirectoryAreRead() throws Exception {
        Path target = write(inputs("prompts/base/greet.txt"), "Hello {{name}}");
        Files.createSymbolicLink(inputs("prompts/alias.txt"), target);
        Files.createSymbolicLink(inputs("prompts/again"), inputs("prompts/base"));

        SnapshotInputs inputs = compile(InputSettings.builder(project));

        assertThat(inputs.prompts())
                .extracting(SnapshotInputs.PromptInput::name)
                .containsExactly("again/greet", "alias", "base/greet");
    }

    @Test
    void noSnapshotDirectoryAtAllBuildsWithAWarningThatTheSnapshotIsEmpty() throws Exception {
        SnapshotInputs inputs = compile(InputSettings.builder(project));

        assertThat(inputs.warnings())
                .singleElement()
                .satisfies(w -> assertThat(w.message()).contains("the snapshot is empty", "src/main/snapshot/config"));
        assertThat(log)
                .anyMatch(line -> line.contains("No config directory"))
                .anyMatch(line -> line.contains("No prompts directory"))
                .anyMatch(line -> line.contains("No apps directory"));
    }

    @Test
    void emptyDirectoriesAreLoggedAndTheEmptySnapshotIsAWarning() throws Exception {
        Files.createDirectories(inputs("config"));
        Files.createDirectories(inputs("prompts"));
        write(inputs("prompts/notes.rst"), "not a prompt: not included");

        SnapshotInputs inputs = compile(InputSettings.builder(project));

        assertThat(inputs.warnings()).extracting(Problem::message).anyMatch(m -> m.contains("the snapshot is empty"));
        assertThat(log)
                .contains("Read 0 files from src/main/snapshot/config")
                .contains("Read 0 files from src/main/snapshot/prompts");
    }

    @Test
    void aConfiguredDirectoryThatDoesNotExistIsAWarningNamingTheParameter() throws Exception {
        write(inputs("config/model.yml"), "name: gpt-4o\n");

        SnapshotInputs inputs =
                compile(InputSettings.builder(project).promptsDirectory(project.resolve("src/prompts-typo")));

        assertThat(inputs.warnings()).singleElement().satisfies(w -> {
            assertThat(w.file()).isEqualTo(Path.of("src/prompts-typo"));
            assertThat(w.message()).contains("<promptsDirectory>", "does not exist");
        });
        assertThat(log).contains("Read 1 file from src/main/snapshot/config");
    }

    @Test
    void aConfiguredDirectoryThatIsAFileIsAnError() throws Exception {
        write(project.resolve("prompts.txt"), "oops");

        assertThatThrownBy(
                        () -> compile(InputSettings.builder(project).promptsDirectory(project.resolve("prompts.txt"))))
                .isInstanceOfSatisfying(
                        InputProblemsException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p ->
                                        assertThat(p.message()).contains("<promptsDirectory> must name a directory")));
    }

    @Test
    void aSnapshotWithInputsHasNoEmptyWarning() throws Exception {
        write(inputs("prompts/greet.txt"), "Hello {{name}}");

        assertThat(compile(InputSettings.builder(project)).warnings()).isEmpty();
    }

    @Test
    void theQuickSuffixMatcherMatchesExactlyWhatItsGlobAndTopLevelTwinMatch() {
        java.nio.file.FileSystem fs = java.nio.file.FileSystems.getDefault();
        List<String> paths = List.of(
                "a.yml",
                "x/a.yml",
                "x/y/a.yml",
                ".yml",
                "x/.yml",
                "a.yaml",
                "a.YML",
                "a.yml.bak",
                "yml",
                "x/yml",
                "ayml",
                "x.yml/a.txt",
                "x.yml/b.yml",
                "a.prompt",
                "deep/er/still/b.prompt",
                "b.prompt.md");
        for (String glob : List.of("**/*.yml", "**/*.prompt", "**/*.md", "**/*.tar-gz", "**/*.a_b1")) {
            java.nio.file.PathMatcher quick = InputFiles.suffixMatcher(glob);
            assertThat(quick).as(glob).isNotNull();
            java.nio.file.PathMatcher nested = fs.getPathMatcher("glob:" + glob);
            java.nio.file.PathMatcher top = fs.getPathMatcher("glob:" + glob.substring(3));
            for (String p : paths) {
                Path path = Path.of(p);
                assertThat(quick.matches(path))
                        .as(glob + " on " + p)
                        .isEqualTo(nested.matches(path) || top.matches(path));
            }
        }
        // Anything with glob syntax after the dot is left to the file system's matcher.
        for (String glob : List.of("**/*.{yml,yaml}", "**/*.y?l", "**/*.[ab]", "*.yml", "**/a*.yml", "**/*.")) {
            assertThat(InputFiles.suffixMatcher(glob)).as(glob).isNull();
        }
    }

    @Test
    void theRelativeNameOfAFileIsWhatRelativizeGives() {
        for (String[] c : new String[][] {
            {"/p/src", "/p/src/a.txt"}, {"/p/src", "/p/src/x/y/a.txt"}, {"/p/./src", "/p/./src/x/a.txt"},
            {"/", "/a.txt"}, {"/p/src", "/p/srcx/a.txt"}, {"src", "src/a/b.md"}
        }) {
            Path dir = Path.of(c[0]);
            Path file = Path.of(c[1]);
            assertThat(InputFiles.relativeName(dir, file))
                    .isEqualTo(dir.relativize(file).toString());
        }
    }
}
