package dev.warmstart.snapshot.spring;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Servlet filter: selects the snapshot for each request from its pin, user and tenant headers, binds it for
 * {@link Prompts}, names it in the response header, and records the outcome (a 5xx status or an exception is a
 * failure, feeding canary guards and automatic rollback). An asynchronous request keeps its snapshot open and
 * is recorded when it completes; its async work runs on other threads, where {@link Prompts} serves the stable
 * snapshot unless the work binds the request's selection ({@link #SELECTION_ATTRIBUTE}) itself.
 */
public class SnapshotRoutingFilter extends OncePerRequestFilter {
    /** Request attribute holding the request's {@link SnapshotSelection}. */
    public static final String SELECTION_ATTRIBUTE = SnapshotSelection.class.getName();

    private final ServingSnapshots serving;
    private final WarmstartProperties.Web web;

    /**
     * @param serving what to select from
     * @param web header names
     */
    public SnapshotRoutingFilter(ServingSnapshots serving, WarmstartProperties.Web web) {
        this.serving = serving;
        this.web = web;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        SnapshotSelection selection = serving.select(RequestRouting.context(web, request::getHeader));
        boolean async = false;
        try (CurrentSelection.Scope scope = CurrentSelection.bind(selection)) {
            request.setAttribute(SELECTION_ATTRIBUTE, selection);
            if (web.getResponseHeader() != null && !web.getResponseHeader().isBlank()) {
                // Before the chain: the response may be committed by the time it returns.
                response.setHeader(web.getResponseHeader(), selection.snapshotId());
            }
            boolean failed = true;
            try {
                chain.doFilter(request, response);
                failed = response.getStatus() >= 500;
                if (request.isAsyncStarted()) {
                    // The response is produced later on another thread: keep the snapshot open until then.
                    request.getAsyncContext().addListener(new OutcomeOnCompletion(selection, response));
                    async = true;
                }
            } finally {
                if (!async) {
                    finish(selection, failed);
                }
            }
        }
    }

    private static void finish(SnapshotSelection selection, boolean failed) {
        try {
            if (failed) {
                selection.recordFailure();
            } else {
                selection.recordSuccess();
            }
        } finally {
            selection.close();
        }
    }

    /** Records the outcome of an asynchronous request when it completes, and releases its snapshot. */
    private static final class OutcomeOnCompletion implements AsyncListener {
        private final SnapshotSelection selection;
        private final HttpServletResponse response;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile boolean failed;

        OutcomeOnCompletion(SnapshotSelection selection, HttpServletResponse response) {
            this.selection = selection;
            this.response = response;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (done.compareAndSet(false, true)) {
                finish(selection, failed || response.getStatus() >= 500);
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            failed = true;
        }

        @Override
        public void onError(AsyncEvent event) {
            failed = true;
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // Re-dispatched async processing: this listener must be registered again to be called.
            event.getAsyncContext().addListener(this);
        }
    }
}
