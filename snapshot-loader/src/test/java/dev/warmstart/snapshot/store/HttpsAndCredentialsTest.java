package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.NginxServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A remote store behind TLS with a private CA, and behind basic authentication, served by a real nginx. */
class HttpsAndCredentialsTest {
    private static final String PASSWORD = "pa55-w0rd-never-shown";

    @TempDir
    Path tmp;

    private NginxServer nginx;
    private SnapshotStore store;
    private String stable;

    @BeforeEach
    void aStore() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        store = SnapshotStore.open(Files.createDirectories(tmp.resolve("store")));
        stable = store.publish(StoreFixtures.snapshot(Files.createDirectories(tmp.resolve("in")), "alpha"))
                .id();
        store.promoteStable(stable, null);
    }

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
    }

    private ManagerOptions options() {
        return ManagerOptions.defaults().withPollInterval(Duration.ofHours(1));
    }

    @Test
    void httpsWithAPrivateCaWorksOnceItsCaFileIsGivenAndFailsClearlyWithout() throws Exception {
        Path ca = selfSignedCertificate();
        nginx = NginxServer.startWith(
                store.directory(),
                Files.createDirectories(tmp.resolve("nginx")),
                "    ssl_certificate " + tmp.resolve("cert.pem") + ";\n    ssl_certificate_key "
                        + tmp.resolve("key.pem") + ";\n",
                true);

        assertThatThrownBy(() ->
                        SnapshotManager.open(nginx.url(), tmp.resolve("c1"), options(), HttpStoreSettings.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot reach the snapshot store " + nginx.url());

        try (SnapshotManager manager = SnapshotManager.open(
                nginx.url(),
                tmp.resolve("c2"),
                options(),
                HttpStoreSettings.defaults().withCaFile(ca))) {
            assertThat(manager.stableId()).isEqualTo(stable);
        }
    }

    @Test
    void basicCredentialsAreSentAndNeverShown() throws Exception {
        Path users = tmp.resolve("htpasswd");
        Files.writeString(users, "ci:{PLAIN}" + PASSWORD + "\n");
        nginx = NginxServer.startWith(
                store.directory(),
                Files.createDirectories(tmp.resolve("nginx")),
                "    auth_basic \"store\";\n    auth_basic_user_file " + users + ";\n",
                false);

        assertThatThrownBy(() -> SnapshotManager.open(
                        nginx.url(),
                        tmp.resolve("c1"),
                        options(),
                        HttpStoreSettings.defaults()
                                .withCredentials(StoreCredentials.basic("ci", "wrong-" + PASSWORD))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("HTTP 401 (basic credentials)")
                .hasMessageContaining("WARMSTART_STORE_USER")
                .hasMessageNotContaining(PASSWORD);

        try (SnapshotManager manager = SnapshotManager.open(
                nginx.url(),
                tmp.resolve("c2"),
                options(),
                HttpStoreSettings.defaults().withCredentials(StoreCredentials.basic("ci", PASSWORD)))) {
            assertThat(manager.stableId()).isEqualTo(stable);
        }
        assertThat(Files.readString(tmp.resolve("c2/registry.json"))).doesNotContain(PASSWORD);
    }

    /** Makes a self-signed certificate for 127.0.0.1 with the JDK's keytool; returns the certificate's PEM file. */
    private Path selfSignedCertificate() throws Exception {
        Path keystore = tmp.resolve("server.p12");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-alias",
                        "server",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(log).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("server", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("server");
        Files.writeString(tmp.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        Path certFile = tmp.resolve("cert.pem");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        return certFile;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
