package dev.warmstart.snapshot.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written check of a PLAIN placeholder name accepts exactly what its regular expression accepts. */
class PlainNameTest {
    private static void agrees(String name) {
        assertThat(PromptCompiler.isPlainName(name))
                .as("'" + name + "'")
                .isEqualTo(PromptCompiler.PLAIN_NAME.matcher(name).matches());
    }

    @Test
    void namedCasesAgreeWithTheRegularExpression() {
        for (String name : List.of(
                "",
                ".",
                "a",
                "a.",
                ".a",
                "a..b",
                "a.b",
                "_1",
                "1a",
                "a.1b",
                "a.b_c9",
                "user.name.first",
                "x-y",
                "é",
                "a b",
                "A_Z.z_9",
                "_",
                "_._")) {
            agrees(name);
        }
    }

    @Test
    void randomNamesAgreeWithTheRegularExpression() {
        Random random = new Random(42);
        String alphabet = "aZ_09.-{ é";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(7); n > 0; n--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            agrees(b.toString());
        }
    }
}
