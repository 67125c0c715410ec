package dev.warmstart.snapshot.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One replica of the fleet test, run in its own JVM: opens the remote store and, on every switch and every
 * change of reachability, prints one line: {@code state <revision> <stable> <canary routing> <serving from cache>};
 * on every failure (a revision refused), {@code failed <what>: <why>}.
 * The canary routing is the channel each of 1000 routing keys gets, so the test can compare processes. Ends when
 * its standard input closes.
 */
public final class FleetReplica {
    private FleetReplica() {}

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        Path cache = Path.of(args[1]);
        Object lock = new Object();
        SnapshotManager[] holder = new SnapshotManager[1];
        SnapshotEventListener listener = new SnapshotEventListener() {
            @Override
            public void switched(long from, long to, String stableId, Duration took) {
                report(holder, lock);
            }

            @Override
            public void storeUnreachable(String location, Throwable error) {
                report(holder, lock);
            }

            @Override
            public void storeReachable(String location) {
                report(holder, lock);
            }

            @Override
            public void failed(String what, Throwable error) {
                String line = (what + ": " + error.getMessage()).replace('\n', ' ');
                synchronized (System.out) {
                    System.out.println("failed " + line);
                    System.out.flush();
                }
            }
        };
        ManagerOptions options = ManagerOptions.defaults()
                .withPollInterval(Duration.ofMillis(200))
                .withListener(listener)
                .withPreverifyPublished(
                        Integer.getInteger("fleet.preverifyPublished", ManagerOptions.DEFAULT_PREVERIFY_PUBLISHED));
        try (SnapshotManager manager = SnapshotManager.open(url, cache, options, HttpStoreSettings.defaults())) {
            synchronized (lock) {
                holder[0] = manager;
            }
            report(holder, lock);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                report(holder, lock);
            }
        }
    }

    private static void report(SnapshotManager[] holder, Object lock) {
        // the listener runs inside the switch; the state it reports is read once the switch is in place
        Thread t = new Thread(() -> {
            SnapshotManager m;
            synchronized (lock) {
                m = holder[0];
            }
            if (m == null) {
                return;
            }
            StringBuilder routes = new StringBuilder();
            for (int key = 0; key < 1000; key++) {
                try (SnapshotLease lease = m.select(new RequestContext(null, null, null, "user-" + key))) {
                    routes.append(lease.channel().equals("stable") ? '0' : '1');
                }
            }
            synchronized (System.out) {
                System.out.println("state " + m.revision() + " " + m.stableId() + " "
                        + Integer.toHexString(routes.toString().hashCode()) + " "
                        + routes.chars().filter(c -> c == '1').count()
                        + " " + m.metrics().servingFromCache());
                System.out.flush();
            }
        });
        t.start();
    }
}
