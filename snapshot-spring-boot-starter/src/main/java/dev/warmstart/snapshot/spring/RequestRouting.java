package dev.warmstart.snapshot.spring;

import dev.warmstart.snapshot.store.RequestContext;
import java.util.function.UnaryOperator;

/** Turns request headers into the loader's {@link RequestContext}; shared by the servlet and WebFlux filters. */
final class RequestRouting {
    private RequestRouting() {}

    static RequestContext context(WarmstartProperties.Web web, UnaryOperator<String> header) {
        return new RequestContext(
                blankToNull(header.apply(web.getPinHeader())),
                blankToNull(header.apply(web.getUserHeader())),
                blankToNull(header.apply(web.getTenantHeader())),
                null);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
