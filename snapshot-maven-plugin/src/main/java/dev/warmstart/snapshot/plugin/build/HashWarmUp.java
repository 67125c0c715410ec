package dev.warmstart.snapshot.plugin.build;

import dev.warmstart.snapshot.format.ContentHash;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets HotSpot to compile SHA-256 to its intrinsic (the CPU's SHA instructions) before a build hashes its inputs.
 * The JIT compiles the hashing loop after enough calls, not enough bytes: a fresh JVM hashing 10 KiB prompts ran
 * the first ~20 MiB through slow interpreted and profiled code. Many one-block updates reach the compile threshold
 * in a few milliseconds of work, on a side thread, while the main thread lists the inputs. Once per JVM.
 */
final class HashWarmUp {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** One-block updates: beyond HotSpot's tier-4 invocation threshold (5,000) with room for its load scaling. */
    private static final int UPDATES = 20_000;

    private HashWarmUp() {}

    static void start() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread warm = new Thread(
                () -> {
                    MessageDigest digest = ContentHash.sha256();
                    byte[] block = new byte[64];
                    for (int i = 0; i < UPDATES; i++) {
                        digest.update(block);
                    }
                    digest.digest();
                },
                "warmstart-hash-warm-up");
        warm.setDaemon(true);
        warm.start();
    }
}
