package dev.warmstart.snapshot.plugin.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Inputs the fuzzers found bugs with, as unit tests naming the behaviour they now have. */
class InputReaderFuzzFindingsTest {
    private static final Path FILE = Path.of("src/main/snapshot/config/model.yml");

    @Test
    void aYamlFloatThatIsNotANumberIsReportedWithItsLineInsteadOfThrowing() {
        Problems problems = new Problems(Path.of("."));
        ParsedDocument document = new StructuredFileReader().readYamlText(FILE, "a: 1\nb: ._\n", problems);
        assertThat(document).isNull();
        assertThat(problems.errors()).singleElement().satisfies(p -> {
            assertThat(p.toString()).contains("model.yml:2").contains("'._' is not a number");
        });
    }

    @Test
    void aYamlTagSnakeYamlRefusesIsReportedInsteadOfThrowing() {
        Problems problems = new Problems(Path.of("."));
        assertThat(new StructuredFileReader().readYamlText(FILE, "a: !%1\n", problems))
                .isNull();
        assertThat(problems.errors())
                .singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("malformed YAML"));
    }

    @Test
    void aJsonNumberWithAnExponentOutOfRangeIsReportedWithItsLineInsteadOfThrowing() {
        Problems problems = new Problems(Path.of("."));
        Path json = Path.of("src/main/snapshot/config/retrieval.json");
        assertThat(new StructuredFileReader().readJsonText(json, "{\n  \"t\": 0.5E6666666666666\n}", problems))
                .isNull();
        assertThat(problems.errors())
                .singleElement()
                .satisfies(p ->
                        assertThat(p.toString()).contains("retrieval.json:2").contains("out of range"));
    }
}
