package dev.tether.control;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.json.Json;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Run policies through the control API: a submit's own policy, its refusals, and who stopped a run as a filter. */
class PolicyApiTest {
    @TempDir Path home;
    LocalEngine engine;
    ControlServer server;
    RawHttp http;
    HttpControlClient client;

    @BeforeEach
    void start() throws Exception {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.load(null), new RunRegistry());
        server = ControlServer.start(engine, home.resolve("control.json"));
        http = new RawHttp(server.published());
        client = HttpControlClient.connect(server.controlFile());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void aSubmitsPolicyIsTheRunsOwnAndStopsItWithItsOriginOnRecord() throws Exception {
        var answer = http.call("POST", "/api/runs", """
                {"graph": "book-workflow", "input": {"nodeMillis": 60000, "jitter": 0}, "policy": {"max-runtime": "300ms", "retries": 0}}""");
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        var id = Json.mapper().readTree(answer.body()).path("runId").asText();
        var end = client.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.DEADLINE);
        assertThat(end.policy().sources()).containsEntry("max-runtime", RunPolicy.FROM_RUN);

        var byClient = client.submit("welcome-email", null, Map.of(), RunPolicy.of(Map.of("max-steps", "50", "retry-on", "failed,deadline")));
        assertThat(byClient.policy().maxSteps()).isEqualTo(50);
        assertThat(byClient.policy().retryOn()).containsExactlyInAnyOrder(RunPolicy.RetryOn.FAILED, RunPolicy.RetryOn.DEADLINE);

        var deadlines = client.history(new dev.tether.history.HistoryQuery(null, Set.of(), null, null, 50, null, Set.of(CancelOrigin.DEADLINE)));
        assertThat(deadlines.runs()).extracting(r -> r.runId()).containsExactly(id);
        assertThat(http.call("GET", "/api/history?origin=deadline", null).body()).contains(id);
    }

    @Test
    void aBadPolicyOrAGraphsLimitInASubmitIsRefusedWithOneLineAndNothingIsSubmitted() throws Exception {
        for (var policy : Map.of("{\"max-runtime\": \"soon\"}", "max-runtime: 'soon' is not a duration",
                "{\"max-warp\": 9}", "unknown policy 'max-warp'",
                "{\"max-concurrent\": 2}", "max-concurrent is set per graph or queue",
                "[1]", "'policy' must be an object",
                "{\"retries\": 1e999}", "policy 'retries' must be text or a number").entrySet()) {
            var answer = http.call("POST", "/api/runs", "{\"graph\": \"welcome-email\", \"policy\": " + policy.getKey() + "}");
            assertThat(answer.status()).as(policy.getKey()).isEqualTo(400);
            assertThat(answer.error()).as(policy.getKey()).contains(policy.getValue());
        }
        assertThat(engine.registry().size()).isZero();
    }

    @Test
    void aRequestCannotClaimThatAPolicyStoppedARun() throws Exception {
        var id = client.submit("book-workflow", null, Map.of("nodeMillis", "60000", "jitter", "0")).runId();
        var answer = http.call("POST", "/api/runs/" + id + "/cancel?origin=deadline", null);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.kind()).isEqualTo("bad-input");
        assertThat(engine.registry().get(id).orElseThrow().status()).isIn(RunStatus.QUEUED, RunStatus.RUNNING);
    }
}
