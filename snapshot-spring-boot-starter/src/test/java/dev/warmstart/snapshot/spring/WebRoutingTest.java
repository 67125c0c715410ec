package dev.warmstart.snapshot.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmstart.snapshot.store.ManagerMetrics;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

class WebRoutingTest {
    @TempDir
    Path dir;

    private Path store;
    private String v2;
    private ServingSnapshots serving;
    private final WarmstartProperties.Web web = new WarmstartProperties.Web();

    @BeforeEach
    void openStore() throws Exception {
        store = TestSnapshots.store(dir);
        v2 = TestSnapshots.canary(dir, store, 0);
        serving = ServingSnapshots.open(store.toString(), java.time.Duration.ofSeconds(1));
    }

    @AfterEach
    void close() {
        serving.close();
    }

    @Test
    void servletApplicationsGetTheRoutingFilter() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WarmstartAutoConfiguration.class))
                .withPropertyValues("warmstart.snapshot.location=" + store)
                .run(context -> assertThat(context).hasBean("snapshotRoutingFilter"));
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WarmstartAutoConfiguration.class))
                .withPropertyValues("warmstart.snapshot.location=" + store, "warmstart.snapshot.web.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void reactiveApplicationsGetTheRoutingWebFilter() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(WarmstartAutoConfiguration.class))
                .withPropertyValues("warmstart.snapshot.location=" + store)
                .run(context -> assertThat(context)
                        .hasSingleBean(SnapshotRoutingWebFilter.class)
                        .doesNotHaveBean(FilterRegistrationBean.class));
    }

    @Test
    void thePinHeaderSelectsTheSnapshotThePromptsServeAndTheResponseNamesIt() throws Exception {
        Prompts prompts = new Prompts(serving);
        AtomicReference<String> rendered = new AtomicReference<>();
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.addHeader("X-Snapshot-Version", v2);
        MockHttpServletResponse response = new MockHttpServletResponse();
        new SnapshotRoutingFilter(serving, web)
                .doFilter(
                        request,
                        response,
                        new MockFilterChain(
                                new jakarta.servlet.http.HttpServlet() {},
                                (req, res, chain) ->
                                        rendered.set(prompts.render("support/answer", Map.of("question", "q")))));
        assertThat(rendered.get()).isEqualTo("[v2] Answer q");
        assertThat(response.getHeader("X-Snapshot-Id")).isEqualTo(v2);
        assertThat(serving.manager().orElseThrow().metrics().successesBySnapshot())
                .containsEntry(v2, 1L);
        assertThat(CurrentSelection.get()).isEmpty();
    }

    @Test
    void aServerErrorOrAnExceptionCountsAsAFailure() throws Exception {
        ManagerMetrics metrics = serving.manager().orElseThrow().metrics();
        String v1 = serving.manager().orElseThrow().stableId();
        MockHttpServletResponse response = new MockHttpServletResponse();
        new SnapshotRoutingFilter(serving, web)
                .doFilter(
                        new MockHttpServletRequest("GET", "/"),
                        response,
                        (req, res) -> ((HttpServletResponse) res).setStatus(503));
        assertThat(metrics.failuresBySnapshot()).containsEntry(v1, 1L);
        assertThatThrownBy(() -> new SnapshotRoutingFilter(serving, web)
                        .doFilter(new MockHttpServletRequest("GET", "/"), new MockHttpServletResponse(), (req, res) -> {
                            throw new ServletException("boom");
                        }))
                .hasMessage("boom");
        assertThat(metrics.failuresBySnapshot()).containsEntry(v1, 2L);
        new SnapshotRoutingFilter(serving, web)
                .doFilter(new MockHttpServletRequest("GET", "/"), new MockHttpServletResponse(), (req, res) -> {});
        assertThat(metrics.successesBySnapshot()).containsEntry(v1, 1L);
    }

    @Test
    void anAsyncRequestIsRecordedWhenItCompletesNotWhenTheFilterReturns() throws Exception {
        ManagerMetrics metrics = serving.manager().orElseThrow().metrics();
        String v1 = serving.manager().orElseThrow().stableId();
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        request.setAsyncSupported(true);
        MockHttpServletResponse response = new MockHttpServletResponse();
        new SnapshotRoutingFilter(serving, web).doFilter(request, response, (req, res) -> req.startAsync());
        assertThat(metrics.successesBySnapshot()).doesNotContainKey(v1);
        assertThat(metrics.failuresBySnapshot()).doesNotContainKey(v1);

        response.setStatus(502);
        ((org.springframework.mock.web.MockAsyncContext) request.getAsyncContext()).complete();
        assertThat(metrics.failuresBySnapshot()).containsEntry(v1, 1L);
    }

    @Test
    void theWebFilterRoutesBindsAndRecords() {
        Prompts prompts = new Prompts(serving);
        AtomicReference<String> rendered = new AtomicReference<>();
        MockServerWebExchange exchange =
                MockServerWebExchange.from(MockServerHttpRequest.get("/").header("X-Snapshot-Version", v2));
        new SnapshotRoutingWebFilter(serving, web)
                .filter(
                        exchange,
                        ex -> Mono.fromRunnable(
                                () -> rendered.set(prompts.render("support/answer", Map.of("question", "q")))))
                .block();
        assertThat(rendered.get()).isEqualTo("[v2] Answer q");
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Snapshot-Id"))
                .isEqualTo(v2);
        assertThat(serving.manager().orElseThrow().metrics().successesBySnapshot())
                .containsEntry(v2, 1L);

        MockServerWebExchange failing = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
        new SnapshotRoutingWebFilter(serving, web)
                .filter(
                        failing,
                        ex -> Mono.fromRunnable(() -> ex.getResponse().setStatusCode(HttpStatus.INTERNAL_SERVER_ERROR)))
                .block();
        assertThat(serving.manager().orElseThrow().metrics().failuresBySnapshot())
                .containsEntry(serving.manager().orElseThrow().stableId(), 1L);
    }
}
