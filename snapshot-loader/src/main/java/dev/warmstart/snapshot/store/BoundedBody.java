package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A response body written to a sink, refused as soon as it grows past a limit (a huge or endless response never
 * fills the disk or the heap), and cancellable from outside when it stalls. Counts the bytes received so a caller
 * can tell a slow body from a stalled one.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<Long> {
    /** Where the bytes go. */
    interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    /** The body grew past its limit. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private final Sink sink;
    private final long max;
    private final String what;
    private final CompletableFuture<Long> result = new CompletableFuture<>();
    private final AtomicLong received = new AtomicLong();
    private volatile Flow.Subscription subscription;

    BoundedBody(Sink sink, long max, String what) {
        this.sink = sink;
        this.max = max;
        this.what = what;
    }

    long received() {
        return received.get();
    }

    /** Gives up on the body: the transfer is cancelled and the result fails with {@code why}. */
    void cancel(IOException why) {
        result.completeExceptionally(why);
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (result.isDone()) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        try {
            for (ByteBuffer b : items) {
                long total = received.addAndGet(b.remaining());
                if (total > max) {
                    cancel(new TooLargeException(what + " sent more than the " + max + " bytes accepted; refused"));
                    return;
                }
                while (b.hasRemaining()) {
                    sink.write(b);
                }
            }
        } catch (IOException e) {
            cancel(e);
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        result.complete(received.get());
    }

    @Override
    public CompletionStage<Long> getBody() {
        return result;
    }
}
