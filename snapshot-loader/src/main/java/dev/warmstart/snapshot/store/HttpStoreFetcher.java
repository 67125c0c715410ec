package dev.warmstart.snapshot.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The HTTP side of a remote store: fetches {@code registry.json} conditionally (the ETag and Last-Modified of the
 * last registry the caller accepted are sent back, and 304 means unchanged) and downloads snapshot files to a
 * local file. Every request has a timeout, and so has every pause in a body; every body has a size limit.
 * Credentials go into the {@code Authorization} header and nowhere else.
 */
final class HttpStoreFetcher {
    private static final System.Logger LOG = System.getLogger(SnapshotManager.class.getName());

    /** What a registry poll returned: unchanged (304), or a body with the validators to send next time. */
    record RegistryResponse(boolean notModified, byte[] body, String etag, String lastModified) {}

    private final URI base;
    private final HttpStoreSettings settings;
    private final Clock clock;
    private final HttpClient client;
    private volatile String etag;
    private volatile String lastModified;

    HttpStoreFetcher(URI base, HttpStoreSettings settings, Clock clock) throws IOException {
        this.base = withSlash(base);
        this.settings = settings;
        this.clock = clock;
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (settings.caFile() != null) {
            b.sslContext(sslContext(settings.caFile()));
        }
        this.client = b.build();
    }

    URI base() {
        return base;
    }

    URI registryUri() {
        return base.resolve(SnapshotStore.REGISTRY_FILE);
    }

    /**
     * GETs {@code registry.json}, conditionally when a registry was accepted before.
     *
     * @throws RemoteStoreException on an error status
     * @throws IOException when the server cannot be reached, stalls, or sends more than the limit
     */
    RegistryResponse fetchRegistry() throws IOException {
        HttpRequest.Builder req = request(registryUri());
        String tag = etag;
        String modified = lastModified;
        if (tag != null) {
            req.header("If-None-Match", tag);
        }
        if (modified != null) {
            req.header("If-Modified-Since", modified);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpResponse<Long> response = send(
                req.build(),
                bytes -> {
                    byte[] a = new byte[bytes.remaining()];
                    bytes.get(a);
                    out.write(a, 0, a.length);
                },
                info -> settings.maxRegistryBytes(),
                "registry");
        if (response.statusCode() == 304) {
            return new RegistryResponse(true, null, tag, modified);
        }
        return new RegistryResponse(
                false,
                out.toByteArray(),
                response.headers().firstValue("ETag").orElse(null),
                response.headers().firstValue("Last-Modified").orElse(null));
    }

    /** The caller applied {@code r}: the next poll sends its validators, so an unchanged registry costs a 304. */
    void accepted(RegistryResponse r) {
        etag = r.etag();
        lastModified = r.lastModified();
    }

    /**
     * Downloads {@code file} (relative to the store's base URL) into the existing file {@code target} and forces
     * it to disk. A download cut off or stalled mid-way resumes where it stopped — {@code Range: bytes=N-} with
     * {@code If-Range} set to the first response's ETag (or Last-Modified) — up to {@value #MAX_RESUMES} times; a
     * server that ignores the range, or whose file changed, answers {@code 200} with the whole file, and the
     * download starts again from the beginning. The caller verifies the result whole either way.
     *
     * @return the number of bytes in {@code target}
     * @throws IOException on an error status, a failure it cannot resume, or a body longer than {@code maxBytes}
     */
    long download(String file, Path target, long maxBytes) throws IOException {
        URI uri = resolve(file);
        try (FileChannel out =
                FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            String validator = null;
            for (int resumes = 0; ; resumes++) {
                long offset = out.position();
                HttpRequest.Builder req = request(uri);
                if (offset > 0) {
                    req.header("Range", "bytes=" + offset + "-").header("If-Range", validator);
                }
                AtomicReference<String> seen = new AtomicReference<>();
                try {
                    send(
                            req.build(),
                            out::write,
                            info -> {
                                seen.set(validator(info));
                                return bodyLimit(info, out, offset, maxBytes, uri);
                            },
                            file);
                    out.force(true);
                    return out.position();
                } catch (RemoteStoreException | BoundedBody.TooLargeException e) {
                    throw e;
                } catch (IOException e) {
                    String v = offset == 0 ? seen.get() : validator;
                    if (resumes >= MAX_RESUMES || v == null || out.position() == 0) {
                        throw e;
                    }
                    validator = v;
                    long at = out.position();
                    LOG.log(
                            System.Logger.Level.INFO,
                            () -> "resuming the download of " + uri + " at byte " + at + " after: " + e.getMessage());
                }
            }
        }
    }

    /** Resumes of one download before it is given up (and retried whole on the next poll). */
    static final int MAX_RESUMES = 3;

    /** @return a strong ETag, else the Last-Modified date: what {@code If-Range} may name; null for neither */
    private static String validator(HttpResponse.ResponseInfo info) {
        String etag = info.headers().firstValue("ETag").orElse(null);
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return info.headers().firstValue("Last-Modified").orElse(null);
    }

    /**
     * Prepares {@code out} for the body of a download's response: a {@code 206} continues at {@code offset} (its
     * Content-Range must start there), a {@code 200} to a resume starts the file again.
     *
     * @return the most bytes the body may have
     */
    private static long bodyLimit(
            HttpResponse.ResponseInfo info, FileChannel out, long offset, long maxBytes, URI uri) {
        try {
            if (info.statusCode() == 206) {
                String range = info.headers().firstValue("Content-Range").orElse("");
                if (!range.startsWith("bytes " + offset + "-")) {
                    throw new IOException("GET " + uri + " answered the range from byte " + offset + " with"
                            + " Content-Range '" + range + "'");
                }
                return maxBytes - offset;
            }
            if (offset > 0) {
                LOG.log(
                        System.Logger.Level.INFO,
                        () -> "GET " + uri + " answered a resume with the whole file (HTTP " + info.statusCode()
                                + "): starting again");
                out.truncate(0);
                out.position(0);
            }
            return maxBytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the URL of {@code file}, which must be a plain relative path inside the store */
    URI resolve(String file) throws IOException {
        if (file.isEmpty()
                || file.startsWith("/")
                || file.contains("\\")
                || file.contains(":")
                || file.contains("?")
                || file.contains("#")
                || ("/" + file + "/").contains("/../")
                || ("/" + file + "/").contains("/./")) {
            throw new IOException("the registry of " + base + " names the file '" + file
                    + "', which is not a plain path inside" + " the store; refused");
        }
        return base.resolve(file);
    }

    /**
     * Sends a request whose answer is small (a WebDAV LOCK, a PUT) and returns it whatever its status; the body is
     * cut at 64 KiB.
     */
    HttpResponse<String> exchange(HttpRequest request) throws IOException {
        try {
            return client.send(
                    request,
                    info -> HttpResponse.BodySubscribers.mapping(
                            HttpResponse.BodySubscribers.ofByteArray(),
                            bytes -> new String(bytes, 0, Math.min(bytes.length, 65536), StandardCharsets.UTF_8)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(request.method() + " " + request.uri() + " interrupted", e);
        } catch (IOException e) {
            throw new IOException(request.method() + " " + request.uri() + " failed: " + e, e);
        }
    }

    /** @return a request to {@code uri} with the timeout and credentials every request has (GET unless changed) */
    HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).GET();
        String auth = settings.credentials().authorization();
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return b;
    }

    private HttpResponse<Long> send(
            HttpRequest request, BoundedBody.Sink sink, ToLongFunction<HttpResponse.ResponseInfo> limit, String what)
            throws IOException {
        AtomicReference<BoundedBody> body = new AtomicReference<>();
        HttpResponse.BodyHandler<Long> handler = info -> {
            if (info.statusCode() != 200 && info.statusCode() != 206) {
                return HttpResponse.BodySubscribers.replacing(0L);
            }
            BoundedBody b = new BoundedBody(sink, limit.applyAsLong(info), "GET " + request.uri());
            body.set(b);
            return b;
        };
        CompletableFuture<HttpResponse<Long>> future = client.sendAsync(request, handler);
        long timeout = settings.requestTimeout().toMillis();
        long seen = -1;
        HttpResponse<Long> response;
        while (true) {
            try {
                response = future.get(timeout, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                BoundedBody b = body.get();
                long now = b == null ? -1 : b.received();
                if (now == seen) {
                    HttpTimeoutException stalled = new HttpTimeoutException("GET " + request.uri() + " stalled: no data"
                            + " for " + settings.requestTimeout().toMillis() + " ms after " + Math.max(0, now)
                            + " bytes; the download is abandoned and will be retried");
                    if (b != null) {
                        b.cancel(stalled);
                    }
                    future.cancel(true);
                    throw stalled;
                }
                seen = now;
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new IOException("GET " + request.uri() + " interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof HttpTimeoutException t) {
                    throw new HttpTimeoutException("GET " + request.uri() + " timed out: " + t.getMessage());
                }
                if (cause instanceof UncheckedIOException u) {
                    cause = u.getCause();
                }
                if (cause instanceof IOException io
                        && io.getMessage() != null
                        && io.getMessage().startsWith("GET ")) {
                    throw io;
                }
                throw new IOException("GET " + request.uri() + " failed: " + cause, cause);
            }
        }
        int status = response.statusCode();
        if (status == 200 || status == 206 || status == 304) {
            return response;
        }
        throw new RemoteStoreException(statusMessage(request.uri(), status, what), status, retryAfter(response));
    }

    private String statusMessage(URI uri, int status, String what) {
        String head = "GET " + uri + " answered HTTP " + status;
        if (status == 401 || status == 403) {
            return head + " (" + settings.credentials().kind() + " credentials); set WARMSTART_STORE_TOKEN, or"
                    + " WARMSTART_STORE_USER and WARMSTART_STORE_PASSWORD, or WARMSTART_STORE_CREDENTIALS, to"
                    + " credentials that may read the store";
        }
        if (status == 404) {
            return "registry".equals(what)
                    ? head + "; check the URL: it must be the store's base URL, the one holding "
                            + SnapshotStore.REGISTRY_FILE
                    : head + "; the registry names " + what + " but the server does not hold it: upload it again"
                            + " ('store publish') or promote another snapshot";
        }
        if (status >= 300 && status < 400) {
            return head + " (a redirect not followed: a loop, too many hops, or https to http); point the URL at"
                    + " the store itself";
        }
        return head + "; retrying with backoff";
    }

    private Duration retryAfter(HttpResponse<?> response) {
        String v = response.headers().firstValue("Retry-After").orElse(null);
        if (v == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException unparsable) {
                return null;
            }
        }
    }

    private static URI withSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }

    /** The JDK's trust anchors plus those of {@code caFile}: a private CA works without replacing the defaults. */
    private static SSLContext sslContext(Path caFile) throws IOException {
        try {
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(caFile)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    extra.setCertificateEntry("ca-" + i++, c);
                }
            }
            if (i == 0) {
                throw new IOException(caFile + " holds no PEM certificate; give a file of CA certificates");
            }
            X509TrustManager jdk = trustManager(null);
            X509TrustManager own = trustManager(extra);
            X509TrustManager both = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    jdk.checkClientTrusted(chain, authType);
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    try {
                        own.checkServerTrusted(chain, authType);
                    } catch (CertificateException notOurs) {
                        jdk.checkServerTrusted(chain, authType);
                    }
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    X509Certificate[] a = jdk.getAcceptedIssuers();
                    X509Certificate[] b = own.getAcceptedIssuers();
                    X509Certificate[] all = new X509Certificate[a.length + b.length];
                    System.arraycopy(a, 0, all, 0, a.length);
                    System.arraycopy(b, 0, all, a.length, b.length);
                    return all;
                }
            };
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {both}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManager(KeyStore keys) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(keys);
        for (TrustManager t : f.getTrustManagers()) {
            if (t instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }
}
