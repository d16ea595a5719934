package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real worker process with --metrics-port: its meters, behind its token, and who asked its runs to stop. */
@Tag("process")
class WorkerMetricsTest {
    static final String TOKEN = "worker-metrics-test-token-5f1c9e2a7b3d4680";
    static RealRedis server;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    private static HttpResponse<String> get(int port, String token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET();
        if (token != null) request.header("Authorization", "Bearer " + token);
        try (var http = HttpClient.newHttpClient()) { // closed: its selector thread must not outlive the call
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The sum of the samples of {@code name} whose labels contain every {@code label="value"} given. */
    private static double sum(String scrape, String name, String... labels) {
        double total = 0;
        for (var line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
            boolean all = true;
            for (var l : labels) all &= line.contains(l);
            if (all) total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return total;
    }

    @Test
    void theWorkerServesItsMetersToItsTokenAndRecordsWhoAskedItsRunsToStop() throws Exception {
        try (var worker = WorkerProcess.start(Map.of("TETHER_METRICS_TOKEN", TOKEN), server.uri(), "metered", "email,ai_processing", 2,
                "--metrics-port", "0");
             var view = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            var m = Pattern.compile("metrics http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(worker.output());
            assertThat(m.find()).as(worker.output()).isTrue();
            int port = Integer.parseInt(m.group(1));

            var done = view.submit("welcome-email", null, Map.of()).runId();
            var slow = view.submit("book-workflow", null, Map.of("nodeMillis", 60_000, "jitter", 0)).runId();
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(done).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED
                    && "outline".equals(view.registry().get(slow).map(RunSnapshot::currentNode).orElse(null)));
            view.cancel(slow, CancelRequest.by(CancelOrigin.CONSOLE).at(StopLevel.KILL));
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(slow).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);

            var stopped = view.registry().get(slow).orElseThrow();
            assertThat(stopped.stopLevel()).isEqualTo(StopLevel.KILL);
            assertThat(stopped.cancelOrigin()).as("carried by the cancel record to the worker, and back in the run's record").isEqualTo(CancelOrigin.CONSOLE);

            assertThat(get(port, null).statusCode()).isEqualTo(401);
            assertThat(get(port, "wrong").statusCode()).isEqualTo(401);
            await().atMost(Hang.ACROSS_PROCESSES).untilAsserted(() -> {
                var ok = get(port, TOKEN);
                assertThat(ok.statusCode()).isEqualTo(200);
                var text = ok.body();
                assertThat(sum(text, "tether_runs_completed_total", "graph=\"welcome-email\"", "worker=\"metered\"")).isEqualTo(1);
                assertThat(sum(text, "tether_runs_cancelled_total", "level=\"kill\"", "worker=\"metered\"")).isEqualTo(1);
                assertThat(sum(text, "tether_cancel_latency_seconds_count", "level=\"kill\"")).isEqualTo(1);
                assertThat(sum(text, "tether_slots_capacity", "worker=\"metered\"")).isEqualTo(2);
                assertThat(sum(text, "tether_redis_round_trip_seconds_count", "worker=\"metered\"")).isPositive();
                assertThat(text).contains("tether_redis_reconnects_total{worker=\"metered\"}");
            });
        }
    }

    @Test
    void aWeakOrNonAsciiTokenIsExit2WithOneLineBeforeTheWorkerJoins() throws Exception {
        var weak = CliRun.of(Map.of("TETHER_METRICS_TOKEN", "secret"), "worker", "--redis", server.uri(), "--metrics-port", "0", "--name", "weak");
        assertThat(weak.exit()).isEqualTo(2);
        assertThat(weak.err()).contains("tether: $TETHER_METRICS_TOKEN is too weak: use at least 32 random characters");
        var accented = CliRun.of(Map.of("TETHER_METRICS_TOKEN", "p\u00e4sswort-" + TOKEN), "worker", "--redis", server.uri(), "--metrics-port", "0",
                "--name", "accented");
        assertThat(accented.exit()).isEqualTo(2);
        assertThat(accented.err()).contains("tether: $TETHER_METRICS_TOKEN must be printable ASCII without spaces");
        try (var r = server.admin()) {
            assertThat(r.smembers(Keys.standard().workers())).as("neither joined").doesNotContain("weak", "accented");
        }
    }
}
