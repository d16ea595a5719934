package dev.tether.metrics;

import dev.tether.catalog.GraphCatalog;
import dev.tether.control.ControlServer;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.run.CancelRequest;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunEvent;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tether.testing.Hang.eventually;

/**
 * A real {@code /metrics}, after runs of every outcome, judged from outside: Prometheus's own linter
 * ({@code promtool check metrics}, from Debian's prometheus package) where it is installed, and
 * always a strict check in Java of what that linter asks (every family described and typed,
 * counters and only counters ending in {@code _total}, snake_case names, base units). On CI
 * ({@code CI=true}) promtool must be there: the build installs it.
 */
class MetricsExpositionTest {
    private static final Pattern SNAKE = Pattern.compile("[a-z_:][a-z0-9_:]*");
    private static final Pattern NON_BASE_UNIT = Pattern.compile(
            "_(milliseconds|microseconds|nanoseconds|minutes|hours|days|weeks|millis|ms|kilobytes|megabytes|gigabytes|percent)(_|$)");

    @TempDir Path home;
    final List<AutoCloseable> open = new ArrayList<>();
    LocalEngine engine;
    TetherMetrics metrics;

    @AfterEach
    void close() throws Exception {
        for (var c : open.reversed()) c.close();
        if (engine != null) engine.shutdown(Duration.ofSeconds(5));
        if (metrics != null) metrics.close();
    }

    @Test
    void everyMeterOnTheScrapeIsDescribedAndPassesPrometheusLint() throws Exception {
        var deaf = new DeafGraph();
        var catalog = GraphCatalog.of(new ArrayList<>(GraphCatalog.load(null).all()) {{ add(new FailingGraph()); add(deaf); }});
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(4).withCancelGrace(Duration.ofMillis(300))
                .withWorkerName("here"), catalog, new RunRegistry());
        metrics = TetherMetrics.of(engine);
        var claim = ControlServer.claim(home.resolve("control.json"));
        ControlServer api;
        try {
            api = ControlServer.start(engine, claim, new ControlServer.Options(metrics::scrape, 0)); // loopback TCP, as Prometheus scrapes
        } catch (Exception e) {
            claim.close();
            throw e;
        }
        open.add(api);

        // one run of each outcome, so that every run meter exists on the scrape
        assertThat(end(engine.submit("welcome-email", null, Map.of()).runId())).isEqualTo(RunStatus.COMPLETED);
        assertThat(end(engine.submit("failing", null, Map.of()).runId())).isEqualTo(RunStatus.FAILED);
        var cancelled = engine.submit("book-workflow", null, Map.of("nodeMillis", 60_000, "jitter", 0)).runId();
        var stubborn = engine.submit("deaf", null, Map.of()).runId();
        awaitNode(cancelled, "outline");
        awaitNode(stubborn, "ignore-cancel");
        engine.cancel(cancelled, CancelRequest.by(CancelOrigin.API));
        engine.cancel(stubborn, CancelRequest.by(CancelOrigin.API));
        assertThat(end(cancelled)).isEqualTo(RunStatus.CANCELLED);
        assertThat(end(stubborn)).isEqualTo(RunStatus.STUCK);
        engine.registry().apply(new RunEvent.Submitted("0190aaaa-0000-7000-8000-00000000000b", "remote", "far", Map.of(), Instant.now()));
        engine.registry().apply(new RunEvent.Lost("0190aaaa-0000-7000-8000-00000000000b", "worker vanished", Instant.now()));
        deaf.letGo();
        eventually("the STUCK run's thread ends (no later test may count it)").until(() -> engine.stats().stuck() == 0);

        var http = HttpClient.newHttpClient();
        open.add(http);
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/metrics"))
                .header("Authorization", "Bearer " + api.published().token()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        var body = response.body();
        var text = PrometheusText.parse(body);
        for (var family : List.of("tether_runs_submitted_total", "tether_runs_started_total", "tether_runs_completed_total",
                "tether_runs_failed_total", "tether_runs_cancelled_total", "tether_runs_stuck_total", "tether_runs_lost_total",
                "tether_runs_active", "tether_slots_busy", "tether_queue_depth", "tether_cancel_latency_seconds",
                "tether_run_duration_seconds", "tether_node_duration_seconds")) {
            assertThat(text.types()).as("the scrape has %s", family).containsKey(family);
        }

        assertThat(lintProblems(text)).as("problems promtool would report in:%n%s", body).isEmpty();

        var promtool = promtool();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(promtool).as("promtool on CI (.ci/run installs Debian's prometheus package)").isPresent();
        }
        if (promtool.isPresent()) {
            var p = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write(body.getBytes(StandardCharsets.UTF_8));
            }
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).as("promtool ends").isTrue();
            assertThat(p.exitValue()).as("promtool check metrics said:%n%s", out).isZero();
        }
    }

    @Test
    void theStrictCheckFindsWhatPromtoolFinds() {
        var text = PrometheusText.parse("""
                # TYPE a_total counter
                a_total 1
                # HELP b_total Not a counter.
                # TYPE b_total gauge
                b_total 2
                # HELP latency_milliseconds A time.
                # TYPE latency_milliseconds gauge
                latency_milliseconds 3
                # HELP c A counter without its suffix.
                # TYPE c counter
                c 4
                # HELP camelCase A gauge.
                # TYPE camelCase gauge
                camelCase{badLabel="x"} 5
                """);
        assertThat(lintProblems(text)).containsExactlyInAnyOrder(
                "a_total: no help text",
                "b_total: only counters end in _total",
                "latency_milliseconds: not in base units",
                "c: a counter must end in _total",
                "camelCase: name not in snake_case",
                "camelCase: label badLabel not in snake_case");
    }

    /** What {@code promtool check metrics} reports, checked in Java. */
    static List<String> lintProblems(PrometheusText text) {
        var problems = new ArrayList<String>();
        var families = new TreeSet<>(text.types().keySet());
        for (var family : families) {
            var type = text.types().get(family);
            var help = text.helps().get(family);
            if (help == null || help.isBlank()) problems.add(family + ": no help text");
            if (type.equals("counter") && !family.endsWith("_total")) problems.add(family + ": a counter must end in _total");
            if (!type.equals("counter") && family.endsWith("_total")) problems.add(family + ": only counters end in _total");
            if (!SNAKE.matcher(family).matches()) problems.add(family + ": name not in snake_case");
            if (NON_BASE_UNIT.matcher(family).find()) problems.add(family + ": not in base units");
        }
        for (var s : text.samples()) {
            var family = familyOf(s.name(), text);
            if (family == null) {
                problems.add(s.name() + ": a sample without a TYPE");
                continue;
            }
            for (var label : s.labels().keySet()) {
                var problem = family + ": label " + label + " not in snake_case";
                if (!SNAKE.matcher(label).matches() && !problems.contains(problem)) problems.add(problem);
            }
        }
        return problems;
    }

    /** The declared family a sample belongs to (histograms and summaries add suffixes to theirs). */
    private static String familyOf(String sample, PrometheusText text) {
        if (text.types().containsKey(sample)) return sample;
        return Stream.of("_bucket", "_count", "_sum", "_created", "_max")
                .filter(sample::endsWith)
                .map(suffix -> sample.substring(0, sample.length() - suffix.length()))
                .filter(f -> text.types().containsKey(f)).findFirst().orElse(null);
    }

    private static Optional<Path> promtool() {
        return Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool").map(Path::of).filter(Files::isExecutable).findFirst();
    }

    private RunStatus end(String id) throws InterruptedException {
        return engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow().status();
    }

    private void awaitNode(String id, String node) {
        eventually().pollInterval(Duration.ofMillis(2))
                .until(() -> node.equals(engine.registry().get(id).orElseThrow().currentNode()));
    }
}
