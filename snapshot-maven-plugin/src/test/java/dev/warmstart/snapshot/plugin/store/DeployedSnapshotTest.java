package dev.warmstart.snapshot.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class DeployedSnapshotTest {
    @Test
    void coordinatesDefaultToTheClassifierTheBuildAttaches() throws Exception {
        assertThat(DeployedSnapshot.parse("com.example:app:1.0"))
                .isEqualTo(new DeployedSnapshot("com.example", "app", "1.0", "snapshot"));
        assertThat(DeployedSnapshot.parse("com.example:app:1.0:prompts"))
                .isEqualTo(new DeployedSnapshot("com.example", "app", "1.0", "prompts"));
        assertThat(DeployedSnapshot.parse("com.example:app:1.0").toString())
                .isEqualTo("com.example:app:tar:snapshot:1.0");
    }

    @Test
    void otherShapesAreRefusedWithAnExample() {
        for (String bad : new String[] {"app", "com.example:app", "com.example::1.0", "a:b:c:d:e"}) {
            assertThatThrownBy(() -> DeployedSnapshot.parse(bad))
                    .as(bad)
                    .isInstanceOf(StoreTaskException.class)
                    .hasMessageContaining("groupId:artifactId:version");
        }
    }

    @Test
    void theRepositoryTakesTheFormsOfAltDeploymentRepository() throws Exception {
        assertThat(DeployedSnapshot.Repository.parse("releases::default::https://repo.example.com/releases"))
                .isEqualTo(
                        new DeployedSnapshot.Repository("releases", URI.create("https://repo.example.com/releases")));
        assertThat(DeployedSnapshot.Repository.parse("releases::https://repo.example.com/releases"))
                .isEqualTo(
                        new DeployedSnapshot.Repository("releases", URI.create("https://repo.example.com/releases")));
        assertThat(DeployedSnapshot.Repository.parse("http://127.0.0.1:8081/maven")
                        .id())
                .isEqualTo("snapshot-repository");
        assertThatThrownBy(() -> DeployedSnapshot.Repository.parse("releases::legacy::https://repo.example.com/r"))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("id::default::url");
        assertThatThrownBy(() -> DeployedSnapshot.Repository.parse("releases::ftp://repo.example.com/r"))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("http(s)");
    }
}
