package dev.warmstart.snapshot.plugin.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The settings' text is part of the build's up-to-date fingerprint: it must stay what the record's generated
 * {@code toString} gave (a change would rebuild every project once), and name every setting.
 */
class InputSettingsTextTest {
    @Test
    void theTextIsTheRecordsGeneratedOneWithEverySetting() {
        Path base = Path.of("/p");
        InputSettings settings = InputSettings.builder(base)
                .secretAllowlist(List.of("a.*"))
                .followExternalLinks(true)
                .build();
        assertThat(settings.toString())
                .isEqualTo("InputSettings[baseDirectory=" + base + ", configDirectory="
                        + base.resolve("src/main/snapshot/config") + ", promptsDirectory="
                        + base.resolve("src/main/snapshot/prompts") + ", appsDirectory="
                        + base.resolve("src/main/snapshot/apps")
                        + ", configIncludes=[**/*.yml, **/*.yaml, **/*.json], configExcludes=[],"
                        + " promptIncludes=[**/*.prompt, **/*.txt, **/*.md, **/*.yml, **/*.yaml, **/*.json],"
                        + " promptExcludes=[], appIncludes=[**/*.yml, **/*.yaml, **/*.json], appExcludes=[],"
                        + " secretAllowlist=[a.*], maxCodePoints=16777216, difyVersionPolicy=STRICT,"
                        + " followExternalLinks=true]");
        for (var component : InputSettings.class.getRecordComponents()) {
            assertThat(settings.toString()).containsPattern("[\\[ ]" + component.getName() + "=");
        }
    }
}
