package dev.warmstart.snapshot.spring;

import java.util.Optional;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * WebFlux filter: the reactive twin of {@link SnapshotRoutingFilter}. The selection is kept in the exchange's
 * attributes ({@link #selection(ServerWebExchange)}) and the Reactor Context, and bound to the thread while the
 * handler chain is subscribed, so {@link Prompts} serves it in handlers that run on the subscribing thread. A
 * handler that runs later on another thread (one that reads a request body, for instance) sees it only with
 * Reactor's automatic context propagation ({@code spring.reactor.context-propagation=auto} and
 * io.micrometer:context-propagation, see {@link SelectionThreadLocalAccessor}); otherwise it should take the
 * selection from the exchange.
 */
public class SnapshotRoutingWebFilter implements WebFilter {
    /** Exchange attribute holding the request's {@link SnapshotSelection}. */
    public static final String SELECTION_ATTRIBUTE = SnapshotSelection.class.getName();

    /** Key of the selection in the Reactor Context (the same as {@link SelectionThreadLocalAccessor#KEY}). */
    public static final String SELECTION_CONTEXT_KEY = SnapshotSelection.class.getName();

    private final ServingSnapshots serving;
    private final WarmstartProperties.Web web;

    /**
     * @param serving what to select from
     * @param web header names
     */
    public SnapshotRoutingWebFilter(ServingSnapshots serving, WarmstartProperties.Web web) {
        this.serving = serving;
        this.web = web;
    }

    /** @return the selection of a routed exchange */
    public static Optional<SnapshotSelection> selection(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(SELECTION_ATTRIBUTE));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return Mono.defer(() -> {
            SnapshotSelection selection = serving.select(RequestRouting.context(
                    web, h -> exchange.getRequest().getHeaders().getFirst(h)));
            exchange.getAttributes().put(SELECTION_ATTRIBUTE, selection);
            if (web.getResponseHeader() != null && !web.getResponseHeader().isBlank()) {
                exchange.getResponse().getHeaders().set(web.getResponseHeader(), selection.snapshotId());
            }
            // Bound only while the chain is being subscribed (on this thread): a scope closed later on another
            // thread would clear that thread's binding instead.
            Mono<Void> handled = Mono.fromDirect(subscriber -> {
                try (CurrentSelection.Scope scope = CurrentSelection.bind(selection)) {
                    chain.filter(exchange).subscribe(subscriber);
                }
            });
            return handled.doOnSuccess(v -> {
                        HttpStatusCode status = exchange.getResponse().getStatusCode();
                        if (status != null && status.is5xxServerError()) {
                            selection.recordFailure();
                        } else {
                            selection.recordSuccess();
                        }
                    })
                    .doOnError(e -> selection.recordFailure())
                    .doFinally(signal -> selection.close())
                    // Where Reactor's automatic context propagation restores it for handlers on other threads.
                    .contextWrite(Context.of(SELECTION_CONTEXT_KEY, selection));
        });
    }
}
