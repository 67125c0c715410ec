package dev.warmstart.snapshot.spring;

import io.micrometer.context.ThreadLocalAccessor;

/**
 * Lets Micrometer's context propagation carry the request's selection between the Reactor Context (where {@link
 * SnapshotRoutingWebFilter} writes it) and {@link CurrentSelection} on whatever thread a WebFlux handler runs.
 * Found through {@code META-INF/services}; active when the application runs Reactor with automatic context
 * propagation ({@code spring.reactor.context-propagation=auto}).
 */
public final class SelectionThreadLocalAccessor implements ThreadLocalAccessor<SnapshotSelection> {
    /** Key of the selection in the Reactor Context. */
    public static final String KEY = SnapshotSelection.class.getName();

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public SnapshotSelection getValue() {
        return CurrentSelection.get().orElse(null);
    }

    @Override
    public void setValue(SnapshotSelection value) {
        CurrentSelection.set(value);
    }

    @Override
    public void setValue() {
        CurrentSelection.set(null);
    }
}
