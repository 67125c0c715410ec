package dev.warmstart.snapshot.loader;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each input the fuzzer found a bug with, as a unit test naming the behaviour it now has. */
class SnapshotFuzzFindingsTest {
    @TempDir
    Path dir;

    private Path finding(String name) throws IOException {
        String resource = "/dev/warmstart/snapshot/loader/SnapshotFuzzTestInputs/openVerifyAndLookUp/" + name;
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Path file = dir.resolve(name + ".tar");
            Files.write(file, SnapshotChecksums.fix(in.readAllBytes()));
            return file;
        }
    }

    @Test
    void promptNamesReportsAPromptRecordWhoseNameLiesOutsideTheNamesSectionAsCorrupt() throws IOException {
        try (Snapshot s = Snapshot.open(finding("crash-prompt-names-name-outside-names-section"))) {
            assertThatThrownBy(s::promptNames)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("outside the names section");
        }
    }

    @Test
    void aBigNumberThatIsNotADecimalNumberIsReportedAsCorrupt() throws IOException {
        byte[] table;
        try (InputStream in = getClass()
                .getResourceAsStream(
                        "/dev/warmstart/snapshot/loader/SnapshotFuzzTestInputs/configTable/crash-big-number-not-decimal")) {
            table = in.readAllBytes();
        }
        Config config = new Config(java.nio.ByteBuffer.wrap(table).asReadOnlyBuffer(), "fuzz.tar");
        java.util.List<SnapshotException> refusals = new java.util.ArrayList<>();
        for (String key : config.keys()) {
            try {
                config.value(key);
            } catch (SnapshotException e) {
                refusals.add(e);
            }
        }
        org.assertj.core.api.Assertions.assertThat(refusals)
                .anySatisfy(e -> org.assertj.core.api.Assertions.assertThat(e)
                        .isInstanceOf(CorruptSnapshotException.class)
                        .hasMessageContaining("is not a decimal number"));
    }

    @Test
    void describingADoubleThatIsNaNIsReportedAsCorruptInsteadOfThrowingFromTheJsonWriter() throws IOException {
        byte[] table;
        try (InputStream in = getClass()
                .getResourceAsStream(
                        "/dev/warmstart/snapshot/loader/SnapshotFuzzTestInputs/configTable/crash-describe-nan-double")) {
            table = in.readAllBytes();
        }
        Config config = new Config(java.nio.ByteBuffer.wrap(table).asReadOnlyBuffer(), "fuzz.tar");
        java.util.List<SnapshotException> refusals = new java.util.ArrayList<>();
        for (String key : config.keys()) {
            try {
                config.describe(key);
            } catch (SnapshotException e) {
                refusals.add(e);
            }
        }
        org.assertj.core.api.Assertions.assertThat(refusals)
                .anySatisfy(e -> org.assertj.core.api.Assertions.assertThat(e)
                        .isInstanceOf(CorruptSnapshotException.class)
                        .hasMessageContaining("NaN"));
    }
}
