package dev.warmstart.snapshot.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.store.HttpStoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreAccessTest {
    @TempDir
    Path dir;

    @Test
    void aServerWithUsernameAndPasswordIsBasic() throws Exception {
        HttpStoreSettings s = StoreAccess.settings(
                "snapshots", new StoreAccess.Server("snapshots", "ci", "s3cret"), Map.of("WARMSTART_STORE_TOKEN", "t"));
        assertThat(s.credentials().kind()).isEqualTo("basic");
        assertThat(s.toString()).doesNotContain("s3cret");
    }

    @Test
    void aServerWithAPasswordAloneIsABearerToken() throws Exception {
        HttpStoreSettings s =
                StoreAccess.settings("snapshots", new StoreAccess.Server("snapshots", null, "tok-123"), Map.of());
        assertThat(s.credentials().kind()).isEqualTo("bearer");
        assertThat(s.credentials().toString()).doesNotContain("tok-123");
    }

    @Test
    void withoutAServerIdTheEnvironmentOrItsFileDecides() throws Exception {
        assertThat(StoreAccess.settings(null, null, Map.of("WARMSTART_STORE_TOKEN", "t"))
                        .credentials()
                        .kind())
                .isEqualTo("bearer");
        Path file = Files.writeString(dir.resolve("store.properties"), "user=ci\npassword=p\n");
        assertThat(StoreAccess.settings(" ", null, Map.of("WARMSTART_STORE_CREDENTIALS", file.toString()))
                        .credentials()
                        .kind())
                .isEqualTo("basic");
        assertThat(StoreAccess.settings(null, null, Map.of()).credentials().kind())
                .isEqualTo("none");
    }

    @Test
    void theCaFileComesFromTheEnvironmentAlsoWithAServer() throws Exception {
        HttpStoreSettings s = StoreAccess.settings(
                "snapshots",
                new StoreAccess.Server("snapshots", "ci", "p"),
                Map.of("WARMSTART_STORE_CA_FILE", "/etc/ca.pem"));
        assertThat(s.caFile()).isEqualTo(Path.of("/etc/ca.pem"));
    }

    @Test
    void aMissingServerOrOneWithoutPasswordIsRefusedNamingTheId() {
        assertThatThrownBy(() -> StoreAccess.settings("snapshots", null, Map.of()))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("no <server> with id 'snapshots'");
        assertThatThrownBy(() ->
                        StoreAccess.settings("snapshots", new StoreAccess.Server("snapshots", "ci", null), Map.of()))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("holds no <password>");
    }
}
