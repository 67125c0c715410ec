package dev.warmstart.snapshot.store;

import java.io.IOException;
import java.time.Duration;

/** A remote store answered with an error status (or a redirect that was not followed). */
final class RemoteStoreException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Duration retryAfter;

    RemoteStoreException(String message, int status, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** @return the HTTP status */
    int status() {
        return status;
    }

    /** @return the server's {@code Retry-After}, or null */
    Duration retryAfter() {
        return retryAfter;
    }
}
