package dev.tether.metrics;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.control.ControlServer;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The meters of a real engine, read back from a real Prometheus scrape, the platform MBean server and HTTP. */
class RunMetricsTest {
    @TempDir Path home;
    final List<AutoCloseable> open = new ArrayList<>();
    LocalEngine engine;
    TetherMetrics metrics;
    final DeafGraph deaf = new DeafGraph();

    @AfterEach
    void close() throws Exception {
        deaf.letGo();
        for (var c : open.reversed()) c.close();
        if (engine != null) engine.shutdown(Duration.ofSeconds(5));
        if (metrics != null) metrics.close();
    }

    private void start(int concurrency) {
        var catalog = GraphCatalog.of(new ArrayList<>(GraphCatalog.load(null).all()) {{ add(new FailingGraph()); add(deaf); }});
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(concurrency).withCancelGrace(Duration.ofMillis(400))
                .withWorkerName("here"), catalog, new RunRegistry());
        metrics = TetherMetrics.of(engine);
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(metrics.scrape());
    }

    private String submit(String graph, Map<String, Object> input) {
        return engine.submit(graph, null, input).runId();
    }

    private RunSnapshot end(String id) throws InterruptedException {
        return engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow();
    }

    private void awaitNode(String id, String node) {
        await().atMost(Hang.IN_PROCESS).pollInterval(Duration.ofMillis(2))
                .until(() -> node.equals(engine.registry().get(id).orElseThrow().currentNode()));
    }

    private static Map<String, String> graph(String g) {
        return Map.of("graph", g);
    }

    @Test
    void aPolicysStopIsCountedByItsOriginAndARetryAsARetry() throws Exception {
        start(2);
        var late = engine.submit("book-workflow", null, Map.of("nodeMillis", 60_000, "jitter", 0),
                dev.tether.run.RunPolicy.of("max-runtime", "200ms")).runId();
        assertThat(end(late).cancelOrigin()).isEqualTo(CancelOrigin.DEADLINE);
        var s = scrape();
        assertThat(s.sum("tether_runs_cancelled_total", Map.of("graph", "book-workflow", "origin", "deadline"))).isEqualTo(1);
        assertThat(s.sum("tether_runs_cancelled_total", Map.of("graph", "book-workflow", "origin", "console"))).isZero();
        var failing = engine.submit("failing", null, Map.of(), dev.tether.run.RunPolicy.of(Map.of("retries", "1", "retry-delay", "10ms"))).runId();
        end(failing);
        await().atMost(Hang.IN_PROCESS).until(() -> scrape().sum("tether_runs_retried_total", graph("failing")) == 1);
    }

    @Test
    void eachMeterMovesWhenItsEventHappens() throws Exception {
        start(6);

        var done = submit("welcome-email", Map.of());
        assertThat(end(done).status()).isEqualTo(RunStatus.COMPLETED);
        var s = scrape();
        assertThat(s.sum("tether_runs_submitted_total", Map.of("graph", "welcome-email", "queue", "email"))).isEqualTo(1);
        assertThat(s.sum("tether_runs_started_total", Map.of("graph", "welcome-email", "worker", "here"))).isEqualTo(1);
        assertThat(s.sum("tether_runs_completed_total", graph("welcome-email"))).isEqualTo(1);
        assertThat(s.sum("tether_run_duration_seconds_count", Map.of("graph", "welcome-email", "status", "COMPLETED"))).isEqualTo(1);
        assertThat(s.sum("tether_node_duration_seconds_count", Map.of("graph", "welcome-email", "node", "send"))).isEqualTo(1);

        assertThat(end(submit("failing", Map.of())).status()).isEqualTo(RunStatus.FAILED);
        assertThat(scrape().sum("tether_runs_failed_total", graph("failing"))).isEqualTo(1);

        // each stop level is counted under its own tag; a stop's latency is timed by level
        var afterNode = submit("book-workflow", Map.of("nodeMillis", 300, "jitter", 0));
        var cancel = submit("book-workflow", Map.of("nodeMillis", 60_000, "jitter", 0));
        var kill = submit("book-workflow", Map.of("nodeMillis", 60_000, "jitter", 0));
        for (var id : List.of(afterNode, cancel, kill)) awaitNode(id, "outline");
        engine.cancel(afterNode, CancelRequest.by(CancelOrigin.CLI).at(StopLevel.AFTER_NODE));
        engine.cancel(cancel, CancelRequest.by(CancelOrigin.CONSOLE));
        engine.cancel(kill, CancelRequest.by(CancelOrigin.API).at(StopLevel.KILL)); // thread mode: acts as a cancel, counted as asked
        for (var id : List.of(afterNode, cancel, kill)) assertThat(end(id).status()).isEqualTo(RunStatus.CANCELLED);
        s = scrape();
        for (var level : List.of("after-node", "cancel", "kill")) {
            assertThat(s.sum("tether_runs_cancelled_total", Map.of("graph", "book-workflow", "level", level))).as(level).isEqualTo(1);
            assertThat(s.sum("tether_cancel_latency_seconds_count", Map.of("graph", "book-workflow", "level", level))).as(level).isEqualTo(1);
        }
        assertThat(s.sum("tether_runs_forced_total")).isZero();
        assertThat(s.sum("tether_runs_cancelled_total", Map.of("graph", "book-workflow", "origin", "console"))).isEqualTo(1);


        var stuck = submit("deaf", Map.of()); // deaf until let go: STUCK however late the watchdog looks
        awaitNode(stuck, "ignore-cancel");
        engine.cancel(stuck, CancelRequest.by(CancelOrigin.API));
        assertThat(end(stuck).status()).isEqualTo(RunStatus.STUCK);
        assertThat(scrape().sum("tether_runs_stuck_total", graph("deaf"))).isEqualTo(1);
        deaf.letGo();
        await("the STUCK run's thread ends (no later test may count it)").atMost(Hang.IN_PROCESS)
                .until(() -> engine.stats().stuck() == 0);

        // LOST comes from the Redis sweep; the registry is where every process learns it
        var reg = engine.registry();
        reg.apply(new RunEvent.Submitted("0190aaaa-0000-7000-8000-00000000000a", "remote", "far", Map.of(), Instant.now()));
        reg.apply(new RunEvent.Lost("0190aaaa-0000-7000-8000-00000000000a", "worker vanished", Instant.now()));
        assertThat(scrape().sum("tether_runs_lost_total", Map.of("graph", "remote", "queue", "far"))).isEqualTo(1);

        s = scrape();
        assertThat(s.types()).containsEntry("tether_runs_submitted_total", "counter")
                .containsEntry("tether_runs_active", "gauge").containsEntry("tether_slots_busy", "gauge");
        assertThat(s.sum("tether_slots_capacity", Map.of("worker", "here"))).isEqualTo(6);
        assertThat(s.sum("tether_cancel_latency_seconds_bucket", Map.of("level", "cancel", "le", "+Inf"))).isEqualTo(1);
        assertThat(s.has("tether_cancel_latency_seconds_max")).isTrue();
    }

    @Test
    void queueDepthActiveRunsAndBusySlotsFollowTheEngine() throws Exception {
        start(1);
        var holder = submit("book-workflow", Map.of("nodeMillis", 60_000, "jitter", 0));
        awaitNode(holder, "outline");
        var waiting = submit("welcome-email", Map.of());

        var s = scrape();
        assertThat(s.sum("tether_queue_depth", Map.of("queue", "email"))).isEqualTo(1);
        assertThat(s.sum("tether_runs_active", Map.of("status", "RUNNING"))).isEqualTo(1);
        assertThat(s.sum("tether_runs_active", Map.of("status", "QUEUED"))).isEqualTo(1);
        assertThat(s.sum("tether_slots_busy", Map.of("worker", "here"))).isEqualTo(1);

        engine.cancel(holder, CancelRequest.by(CancelOrigin.API));
        assertThat(end(waiting).status()).isEqualTo(RunStatus.COMPLETED);
        s = scrape();
        assertThat(s.sum("tether_queue_depth", Map.of("queue", "email"))).isZero();
        assertThat(s.sum("tether_runs_active")).isZero();
    }

    /**
     * Queue names reach the registry from Redis: a thousand of them give a depth gauge to the first
     * hundred (the queue tag's cap), and the rest are counted under "other" by the run counters.
     */
    @Test
    void queueDepthGaugesStopAtTheQueueTagsCap() throws Exception {
        start(1);
        var reg = engine.registry();
        for (int i = 0; i < 1_000; i++) {
            reg.apply(new RunEvent.Submitted(String.format("0190bbbb-0000-7000-8000-%012d", i), "remote", "q" + i, Map.of(), Instant.now()));
        }
        var s = scrape();
        assertThat(s.samples().stream().filter(x -> x.name().equals("tether_queue_depth"))).hasSize(TagCap.DEFAULT_CAPS.get("queue"));
        assertThat(s.sum("tether_runs_submitted_total")).isEqualTo(1_000);
        assertThat(s.sum("tether_runs_submitted_total", Map.of("queue", TagCap.OTHER))).isEqualTo(1_000 - TagCap.DEFAULT_CAPS.get("queue"));
    }

    @Test
    void theMetersAreMBeansInTheTetherDomain() throws Exception {
        start(2);
        assertThat(end(submit("welcome-email", Map.of())).status()).isEqualTo(RunStatus.COMPLETED);

        var server = ManagementFactory.getPlatformMBeanServer();
        var names = server.queryNames(new ObjectName(TetherMetrics.JMX_DOMAIN + ":*"), null).stream().map(ObjectName::toString).toList();
        assertThat(names).anyMatch(n -> n.contains("tetherRunsSubmitted"))
                .anyMatch(n -> n.contains("tetherRunsCompleted"))
                .anyMatch(n -> n.contains("tetherRunDuration"))
                .anyMatch(n -> n.contains("tetherSlotsCapacity"));
        var completed = server.queryNames(new ObjectName(TetherMetrics.JMX_DOMAIN + ":*"), null).stream()
                .filter(n -> n.toString().contains("tetherRunsCompleted") && n.toString().contains("welcome-email")).findFirst().orElseThrow();
        assertThat(((Number) server.getAttribute(completed, "Count")).longValue()).isEqualTo(1);
        var duration = server.queryNames(new ObjectName(TetherMetrics.JMX_DOMAIN + ":type=timers,*"), null).stream()
                .filter(n -> n.toString().contains("tetherRunDuration.") && n.toString().contains("welcome-email")).findFirst().orElseThrow();
        assertThat(((Number) server.getAttribute(duration, "Count")).longValue()).isEqualTo(1);
        assertThat(((Number) server.getAttribute(duration, "99thPercentile")).doubleValue()).isPositive();
        assertThat(names).as("per-node timers are Prometheus only (their cost)").noneMatch(n -> n.contains("tetherNodeDuration"));

        metrics.close();
        metrics = null;
        assertThat(server.queryNames(new ObjectName(TetherMetrics.JMX_DOMAIN + ":*"), null)).as("unregistered on close").isEmpty();
    }

    @Test
    void theControlApiServesTheScrapeToTheTokenOnly() throws Exception {
        start(2);
        var api = ControlServer.start(engine, ControlServer.claim(home.resolve("control.json")), new ControlServer.Options(metrics::scrape, 0));
        open.add(api);
        assertThat(end(submit("welcome-email", Map.of())).status()).isEqualTo(RunStatus.COMPLETED);
        var http = HttpClient.newHttpClient();
        open.add(http);
        var uri = URI.create("http://127.0.0.1:" + api.port() + "/metrics");

        var refused = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("tether_runs");
        var wrong = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer nope").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);

        var ok = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + api.published().token()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(PrometheusText.parse(ok.body()).sum("tether_runs_completed_total", graph("welcome-email"))).isEqualTo(1);

        var post = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + api.published().token())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aServerWithoutMetricsStillAnswers404There() throws Exception {
        start(1);
        var api = ControlServer.start(engine, ControlServer.claim(home.resolve("control.json")), new ControlServer.Options(null, 0));
        open.add(api);
        var http = HttpClient.newHttpClient();
        open.add(http);
        var ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/metrics"))
                .header("Authorization", "Bearer " + api.published().token()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(404);
    }
}
