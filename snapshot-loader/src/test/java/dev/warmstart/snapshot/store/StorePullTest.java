package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.NginxServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StorePull} from a store served by a real nginx. */
class StorePullTest {
    @TempDir
    Path tmp;

    private NginxServer nginx;
    private SnapshotStore store;
    private SnapshotRecord a;
    private SnapshotRecord b;
    private SnapshotRecord c;

    @BeforeEach
    void serveAStore() throws IOException {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        store = SnapshotStore.open(Files.createDirectories(tmp.resolve("store")));
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        a = store.publish(StoreFixtures.snapshot(inputs, "alpha"));
        b = store.publish(StoreFixtures.snapshot(inputs, "beta"));
        c = store.publish(StoreFixtures.snapshot(inputs, "gamma"));
        store.promoteStable(a.id(), null);
        store.promoteStable(b.id(), null);
        store.promoteCanary("canary", c.id(), new CanaryRule(10, Set.of(), true), null);
        nginx = NginxServer.start(store.directory(), Files.createDirectories(tmp.resolve("nginx")));
    }

    @AfterEach
    void stopNginx() throws IOException {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void pullsTheCurrentRegistryAndWhatItServesIntoAStoreAManagerCanOpen() throws IOException {
        Path local = tmp.resolve("baked");
        StorePull.Result r = StorePull.pull(nginx.url(), local, HttpStoreSettings.defaults());

        assertThat(r.downloaded()).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
        assertThat(Files.readString(local.resolve("registry.json"))).isEqualTo(Files.readString(store.registryFile()));
        try (SnapshotManager manager =
                SnapshotManager.open(local, ManagerOptions.defaults().withWatchService(false))) {
            assertThat(manager.channels()).containsEntry("stable", b.id()).containsEntry("canary", c.id());
        }

        StorePull.Result again = StorePull.pull(nginx.url(), local, HttpStoreSettings.defaults());
        assertThat(again.downloaded()).isEmpty();
        assertThat(again.kept()).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
    }

    @Test
    void aDamagedSnapshotOnTheServerFailsThePullAndLeavesTheLocalRegistryAsItWas() throws IOException {
        Path local = tmp.resolve("baked");
        StorePull.pull(nginx.url(), local, HttpStoreSettings.defaults());
        String before = Files.readString(local.resolve("registry.json"));
        Path inputs = tmp.resolve("inputs");
        SnapshotRecord d = store.publish(StoreFixtures.snapshot(inputs, "delta"));
        store.promoteStable(d.id(), null);
        try (RandomAccessFile f = new RandomAccessFile(store.snapshotFile(d).toFile(), "rw")) {
            f.setLength(d.size() - 100);
        }

        assertThatThrownBy(() -> StorePull.pull(nginx.url(), local, HttpStoreSettings.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is truncated");
        assertThat(Files.readString(local.resolve("registry.json"))).isEqualTo(before);
        assertThat(local.resolve(d.file())).doesNotExist();
    }
}
