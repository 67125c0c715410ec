package dev.warmstart.snapshot.plugin.input;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads for per-file build work, with a cap on the bytes in flight: {@link #submit}
 * blocks while the files being worked on already add up to the cap (a file larger than the cap runs alone), so
 * memory does not grow with the number of files or threads. Callers keep the futures in input order and
 * {@link #join} them in that order, so results never depend on which thread finished first.
 */
public final class BoundedPool implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService executor;
    private final Semaphore inFlight;
    private final int maxPermits;

    /**
     * @param threads the number of worker threads (at least 1)
     * @param inFlightBytes the most bytes of input worked on at once
     */
    public BoundedPool(int threads, long inFlightBytes) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger worker = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, task -> {
            Thread t = new Thread(task, "warmstart-build-" + pool + "-" + worker.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.maxPermits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, inFlightBytes >> 10));
        this.inFlight = new Semaphore(maxPermits);
    }

    /** @return the pool size the build uses unless told otherwise: one thread per processor */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** @return the in-flight cap the build uses: a small share of the heap, since a file's work takes a few times its size */
    public static long defaultInFlightBytes() {
        return Math.max(1 << 20, Math.min(32L << 20, Runtime.getRuntime().maxMemory() / 32));
    }

    /**
     * Runs a task on the pool once {@code weightBytes} fit under the in-flight cap.
     *
     * @param weightBytes about how many bytes of input the task works on
     * @throws InterruptedIOException when interrupted while waiting for room
     */
    public <T> Future<T> submit(long weightBytes, Callable<T> task) throws InterruptedIOException {
        int permits = (int) Math.max(1, Math.min(maxPermits, weightBytes >> 10));
        try {
            inFlight.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a build thread");
        }
        try {
            return executor.submit(() -> {
                try {
                    return task.call();
                } finally {
                    inFlight.release(permits);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.release(permits);
            throw e;
        }
    }

    /**
     * @return the pool's threads as a plain {@link Executor}, for work that holds no input on the heap (reading a
     *     mapped file back): it bypasses the in-flight cap
     */
    public Executor executor() {
        return executor;
    }

    /**
     * Waits for a task and returns its result, rethrowing what it threw.
     *
     * @throws IOException what the task threw, or when interrupted
     */
    public static <T> T join(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a build thread");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /** Waits for a task to end, however it ends (for cleanup: its outcome is read elsewhere, or not needed). */
    public static void await(Future<?> future) {
        boolean interrupted = false;
        while (true) {
            try {
                future.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the workers; tasks not yet started are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
