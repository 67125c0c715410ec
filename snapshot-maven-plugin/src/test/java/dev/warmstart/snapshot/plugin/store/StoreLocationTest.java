package dev.warmstart.snapshot.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreLocationTest {
    private final Path basedir = Path.of("/work/project");

    @Test
    void aRelativeDirectoryIsResolvedAgainstTheBaseDirectory() throws Exception {
        StoreLocation l = StoreLocation.parse("store", basedir);
        assertThat(l.remote()).isFalse();
        assertThat(l.directory()).isEqualTo(Path.of("/work/project/store"));
        assertThat(StoreLocation.parse("/srv/store", basedir).directory()).isEqualTo(Path.of("/srv/store"));
    }

    @Test
    void anHttpOrHttpsUrlIsARemoteStoreWhoseBaseEndsInASlash() throws Exception {
        StoreLocation l = StoreLocation.parse("https://snapshots.example.com/store", basedir);
        assertThat(l.remote()).isTrue();
        assertThat(l.url()).isEqualTo(URI.create("https://snapshots.example.com/store/"));
        assertThat(StoreLocation.parse("HTTP://127.0.0.1:8080/s/", basedir).url())
                .isEqualTo(URI.create("HTTP://127.0.0.1:8080/s/"));
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> StoreLocation.parse("https://ci:s3cret@snapshots.example.com/store/", basedir))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("snapshot.serverId")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void otherSchemesAndAnEmptyValueAreRefused() {
        assertThatThrownBy(() -> StoreLocation.parse("s3://bucket/store", basedir))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("neither a directory nor an http(s) URL");
        assertThatThrownBy(() -> StoreLocation.parse(" ", basedir))
                .isInstanceOf(StoreTaskException.class)
                .hasMessageContaining("-Dsnapshot.store=");
    }
}
