package dev.warmstart.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warmstart.snapshot.testsupport.NginxServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot download cut off mid-way resumes with {@code Range} and {@code If-Range}, and is verified whole; a
 * server that ignores the range sends the whole file and the download starts again. The cut-off is a fault a real
 * server does not produce on request, so a socket fake produces it; nginx's answers to the resume are checked on
 * nginx itself.
 */
class ResumableDownloadTest {
    @TempDir
    Path tmp;

    /** Answers the first request with half the file and a closed connection; later ones with {@code later}. */
    private static final class CuttingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        final List<String> requests = new CopyOnWriteArrayList<>();
        final Thread thread;

        CuttingServer(byte[] file, int cutAt, boolean honourRange) throws IOException {
            thread = new Thread(() -> {
                try {
                    for (int n = 0; ; n++) {
                        try (Socket s = socket.accept()) {
                            String request = readHead(s.getInputStream());
                            requests.add(request);
                            OutputStream out = s.getOutputStream();
                            String range = header(request, "range");
                            if (n == 0) {
                                out.write(head(200, file.length, ""));
                                out.write(file, 0, cutAt);
                            } else if (range != null && honourRange) {
                                int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
                                out.write(head(
                                        206,
                                        file.length - from,
                                        "Content-Range: bytes " + from + "-" + (file.length - 1) + "/" + file.length
                                                + "\r\n"));
                                out.write(file, from, file.length - from);
                            } else {
                                out.write(head(200, file.length, ""));
                                out.write(file);
                            }
                            out.flush();
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        private static byte[] head(int status, long length, String extra) {
            return ("HTTP/1.1 " + status + (status == 206 ? " Partial Content" : " OK") + "\r\nContent-Length: "
                            + length + "\r\nETag: \"v1\"\r\nConnection: close\r\n" + extra + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/store/");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static String header(String request, String name) {
        for (String line : request.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0
                    && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    private SnapshotRecord published(String label) throws IOException {
        SnapshotStore store = SnapshotStore.open(Files.createDirectories(tmp.resolve("store")));
        return store.publish(StoreFixtures.snapshot(Files.createDirectories(tmp.resolve("in")), label));
    }

    @Test
    void aDownloadCutOffMidWayResumesWithRangeAndIfRangeAndIsVerifiedWhole() throws Exception {
        SnapshotRecord record = published("alpha");
        byte[] file = Files.readAllBytes(tmp.resolve("store").resolve(record.file()));
        try (CuttingServer server = new CuttingServer(file, 30_000, true)) {
            HttpStoreFetcher fetcher =
                    new HttpStoreFetcher(server.url(), HttpStoreSettings.defaults(), Clock.systemUTC());
            Path target = tmp.resolve("cached.tar");
            SnapshotCache.downloadVerified(fetcher, record, target, true);

            assertThat(target).hasBinaryContent(file);
            assertThat(server.requests).hasSize(2);
            assertThat(header(server.requests.get(0), "range")).isNull();
            assertThat(header(server.requests.get(1), "range")).isEqualTo("bytes=30000-");
            assertThat(header(server.requests.get(1), "if-range")).isEqualTo("\"v1\"");
        }
    }

    @Test
    void aServerThatIgnoresTheRangeSendsTheWholeFileAndTheDownloadStartsAgain() throws Exception {
        SnapshotRecord record = published("beta");
        byte[] file = Files.readAllBytes(tmp.resolve("store").resolve(record.file()));
        try (CuttingServer server = new CuttingServer(file, 30_000, false)) {
            HttpStoreFetcher fetcher =
                    new HttpStoreFetcher(server.url(), HttpStoreSettings.defaults(), Clock.systemUTC());
            Path target = tmp.resolve("cached.tar");
            SnapshotCache.downloadVerified(fetcher, record, target, true);

            assertThat(target).hasBinaryContent(file);
            assertThat(server.requests).hasSize(2);
            assertThat(header(server.requests.get(1), "range")).isEqualTo("bytes=30000-");
        }
    }

    /** What the resume relies on, checked on nginx: the rest for a matching If-Range, the whole file otherwise. */
    @Test
    void nginxAnswersAResumeWithTheRestAndAChangedFileWhole() throws Exception {
        assumeTrue(NginxServer.available(), NginxServer.MISSING);
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("f.bin"), "0123456789abcdef");
        try (NginxServer nginx = NginxServer.start(root, Files.createDirectories(tmp.resolve("nginx")))) {
            HttpClient http = HttpClient.newHttpClient();
            URI f = nginx.url().resolve("f.bin");
            String etag = http.send(HttpRequest.newBuilder(f).build(), HttpResponse.BodyHandlers.discarding())
                    .headers()
                    .firstValue("ETag")
                    .orElseThrow();
            HttpResponse<String> rest = http.send(
                    HttpRequest.newBuilder(f)
                            .header("Range", "bytes=10-")
                            .header("If-Range", etag)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(rest.statusCode()).isEqualTo(206);
            assertThat(rest.body()).isEqualTo("abcdef");
            assertThat(rest.headers().firstValue("Content-Range")).hasValue("bytes 10-15/16");
            HttpResponse<String> changed = http.send(
                    HttpRequest.newBuilder(f)
                            .header("Range", "bytes=10-")
                            .header("If-Range", "\"another\"")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(changed.statusCode()).isEqualTo(200);
            assertThat(changed.body()).isEqualTo("0123456789abcdef");
        }
    }
}
