package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fault a real server cannot be made to produce on request: the server refuses the registry's PUT under this
 * writer's lock with {@code 412 Precondition Failed} (its lock token no longer counts, as seen once from Apache
 * under load). Nothing of the change is in the registry then, so the change is tried again from a fresh read, like
 * any other contention, instead of failing the promotion.
 */
class LostLockTest {
    @TempDir
    Path tmp;

    @Test
    void aRegistryPutRefusedUnderTheLockIsTriedAgainFromAFreshRead() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        AtomicInteger registryPuts = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(server, requests, registryPuts));
            t.setDaemon(true);
            t.start();
            URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/store/");
            Path snapshot = StoreFixtures.snapshot(Files.createDirectories(tmp.resolve("inputs")), "alpha");

            String id = RemoteStoreWriter.apply(
                    url,
                    HttpStoreSettings.defaults(),
                    false,
                    List.of(),
                    false,
                    w -> w.store().publish(snapshot).id());

            assertThat(id).isNotBlank();
            assertThat(registryPuts).hasValue(2);
            assertThat(requests.stream().filter(r -> r.startsWith("LOCK "))).hasSize(2);
            assertThat(requests.stream().filter(r -> r.startsWith("UNLOCK "))).hasSize(2);
        }
    }

    /** A WebDAV server with LOCK that keeps nothing and refuses the first registry PUT with 412. */
    private static void serve(ServerSocket server, List<String> requests, AtomicInteger registryPuts) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                String requestLine = line(in);
                long length = 0;
                for (String h = line(in); !h.isEmpty(); h = line(in)) {
                    if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(h.substring(15).strip());
                    }
                }
                in.skipNBytes(length);
                requests.add(requestLine);
                String[] f = requestLine.split(" ");
                String method = f[0];
                String path = f[1];
                String response;
                if (method.equals("LOCK")) {
                    response = "200 OK\r\nLock-Token: <opaquelocktoken:test>";
                } else if (method.equals("GET")) {
                    response = "404 Not Found";
                } else if (method.equals("PUT") && path.endsWith("/registry.json")) {
                    response = registryPuts.incrementAndGet() == 1 ? "412 Precondition Failed" : "204 No Content";
                } else if (method.equals("PUT")) {
                    response = "201 Created";
                } else {
                    response = "204 No Content";
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 " + response + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the client went away, or the test is over
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
