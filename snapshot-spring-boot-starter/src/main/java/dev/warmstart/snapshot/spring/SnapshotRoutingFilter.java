package dev.warmstart.snapshot.spring;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Servlet filter: selects the snapshot for each request from its pin, user and tenant headers, binds it for
 * {@link Prompts}, names it in the response header, and records the outcome (a 5xx status or an exception is a
 * failure, feeding canary guards and automatic rollback).
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
        try (SnapshotSelection selection = serving.select(RequestRouting.context(web, request::getHeader));
                CurrentSelection.Scope scope = CurrentSelection.bind(selection)) {
            request.setAttribute(SELECTION_ATTRIBUTE, selection);
            if (web.getResponseHeader() != null && !web.getResponseHeader().isBlank()) {
                // Before the chain: the response may be committed by the time it returns.
                response.setHeader(web.getResponseHeader(), selection.snapshotId());
            }
            boolean failed = true;
            try {
                chain.doFilter(request, response);
                failed = response.getStatus() >= 500;
            } finally {
                if (failed) {
                    selection.recordFailure();
                } else {
                    selection.recordSuccess();
                }
            }
        }
    }
}
