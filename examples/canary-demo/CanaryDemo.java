import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.warmstart.snapshot.loader.MissingEntryException;
import dev.warmstart.snapshot.loader.SnapshotException;
import dev.warmstart.snapshot.store.ManagerMetrics;
import dev.warmstart.snapshot.store.ManagerOptions;
import dev.warmstart.snapshot.store.RequestContext;
import dev.warmstart.snapshot.store.SnapshotEventListener;
import dev.warmstart.snapshot.store.SnapshotLease;
import dev.warmstart.snapshot.store.SnapshotManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A tiny prompt service on the JDK's HttpServer, serving rendered prompts from a snapshot store through a
 * SnapshotManager: canary routing by user, the X-Snapshot-Version pin header, hot switching and automatic
 * rollback. No framework; run it straight from source with the loader jar on the class path:
 *
 * <pre>
 * java -cp snapshot-loader/target/snapshot-loader-0.2.0-SNAPSHOT.jar examples/canary-demo/CanaryDemo.java STORE [PORT]
 *
 * GET /render?prompt=NAME&amp;user=ID&amp;var=value...   the prompt rendered by the snapshot this user must see
 *     headers: X-Snapshot-Version (pin a snapshot id), X-User-Id, X-Tenant-Id
 *     answers with X-Snapshot-Id and X-Snapshot-Channel; 500 when rendering fails (a failure of that snapshot)
 * GET /config?key=KEY&amp;user=ID                         one config value
 * GET /status                                         channels and counters, as JSON
 * </pre>
 *
 * PORT 0 (the default) picks a free port; the first line on stdout says which.
 */
public final class CanaryDemo {
    private final SnapshotManager manager;

    private CanaryDemo(SnapshotManager manager) {
        this.manager = manager;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -cp snapshot-loader.jar CanaryDemo.java STORE [PORT]");
            System.exit(2);
        }
        SnapshotEventListener events = new SnapshotEventListener() {
            @Override
            public void switched(long from, long to, String stableId, Duration took) {
                System.out.println("switched to registry revision " + to + " (stable " + stableId + ") in "
                        + took.toMillis() + " ms");
            }

            @Override
            public void rolledBack(String snapshotId, String reason) {
                System.out.println("ROLLED BACK " + snapshotId + ": " + reason);
            }

            @Override
            public void failed(String what, Throwable error) {
                System.out.println("FAILED " + what + ": " + error.getMessage());
            }
        };
        SnapshotManager manager = SnapshotManager.open(Path.of(args[0]),
                ManagerOptions.defaults().withPollInterval(Duration.ofMillis(500)).withListener(events));
        CanaryDemo demo = new CanaryDemo(manager);
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;
        // Without TCP_NODELAY, small responses wait ~40 ms for delayed ACKs on keep-alive connections.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/render", demo::render);
        server.createContext("/config", demo::config);
        server.createContext("/status", demo::status);
        server.start();
        System.out.println("CanaryDemo listening on http://127.0.0.1:" + server.getAddress().getPort()
                + " serving " + manager.channels());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            manager.close();
        }));
    }

    private void render(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange);
        String prompt = query.remove("prompt");
        try (SnapshotLease lease = select(exchange, query)) {
            if (prompt == null) {
                respond(exchange, 400, "say which prompt: /render?prompt=NAME\n");
                return;
            }
            String text;
            try {
                text = lease.snapshot().prompt(prompt).render(query);
            } catch (SnapshotException e) {
                // A prompt this snapshot lacks, or a variable it now needs that clients do not send:
                // a failure of this snapshot, counted towards its guard.
                lease.recordFailure();
                respond(exchange, e instanceof MissingEntryException ? 404 : 500, e.getMessage() + "\n");
                return;
            }
            lease.recordSuccess();
            respond(exchange, 200, text);
        }
    }

    private void config(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange);
        String key = query.remove("key");
        try (SnapshotLease lease = select(exchange, query)) {
            var value = lease.snapshot().config().findString(key == null ? "" : key);
            respond(exchange, value.isPresent() ? 200 : 404, value.orElse("no key '" + key + "'") + "\n");
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        ManagerMetrics m = manager.metrics();
        StringBuilder json = new StringBuilder("{\"revision\": ").append(manager.revision());
        json.append(", \"channels\": ").append(object(manager.channels()));
        json.append(", \"selections\": ").append(object(m.selectionsByChannel()));
        json.append(", \"failures\": ").append(object(m.failuresBySnapshot()));
        json.append(", \"switches\": ").append(m.switches());
        json.append(", \"failedSwitches\": ").append(m.failedSwitches());
        json.append(", \"rollbacks\": ").append(m.rollbacks()).append("}\n");
        respond(exchange, 200, json.toString());
    }

    /** The snapshot this request must see, named in the response headers. */
    private SnapshotLease select(HttpExchange exchange, Map<String, String> query) {
        SnapshotLease lease = manager.select(route(exchange, query));
        exchange.getResponseHeaders().add("X-Snapshot-Id", lease.snapshotId());
        exchange.getResponseHeaders().add("X-Snapshot-Channel", lease.channel());
        return lease;
    }

    private static RequestContext route(HttpExchange exchange, Map<String, String> query) {
        var headers = exchange.getRequestHeaders();
        String user = query.remove("user");
        String tenant = query.remove("tenant");
        return new RequestContext(headers.getFirst("X-Snapshot-Version"),
                user != null ? user : headers.getFirst("X-User-Id"),
                tenant != null ? tenant : headers.getFirst("X-Tenant-Id"), null);
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static String object(Map<String, ?> map) {
        StringBuilder b = new StringBuilder("{");
        map.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                .append(v instanceof Number ? v.toString() : "\"" + v + "\""));
        return b.append('}').toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
