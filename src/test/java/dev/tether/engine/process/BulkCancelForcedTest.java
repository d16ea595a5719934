package dev.tether.engine.process;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.BulkCancel;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.RunStopReport;
import dev.tether.engine.StopOutcome;
import dev.tether.graphs.StubbornGraph;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run that has to be killed is reported FORCED by a bulk cancel, beside a run that stopped by itself. */
@Tag("process")
class BulkCancelForcedTest {
    LocalEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) engine.shutdown(Duration.ofSeconds(10));
    }

    @Test
    void aKilledStubbornRunIsForcedAndACooperativeOneStoppedCleanly() throws Exception {
        var policy = new IsolationPolicy(Isolation.THREAD, Map.of("stubborn", Isolation.PROCESS));
        var registry = new RunRegistry();
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2).withCancelGrace(Duration.ofMillis(500)).withIsolation(policy),
                GraphCatalog.of(new StubbornGraph(), new ProcessGraphs.Cooperative()), registry);
        var pool = engine.childPool().orElseThrow();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> pool.idle() == 2);

        var stubborn = engine.submit("stubborn", null, Map.of("seconds", 60)).runId();
        var cooperative = engine.submit(new ProcessGraphs.Cooperative().id(), null, Map.of()).runId();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(5))
                .until(() -> "ignore-cancel".equals(registry.get(stubborn).orElseThrow().currentNode())
                        && registry.get(cooperative).orElseThrow().currentNode() != null);

        var report = BulkCancel.of(engine, List.of(stubborn, cooperative), CancelRequest.by(CancelOrigin.CLI), Duration.ofSeconds(20));

        var byId = report.runs().stream().collect(java.util.stream.Collectors.toMap(RunStopReport::runId, r -> r));
        assertThat(byId.get(stubborn).outcome()).isEqualTo(StopOutcome.FORCED);
        assertThat(byId.get(stubborn).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(byId.get(stubborn).cancelLatencyMillis()).isGreaterThanOrEqualTo(500);
        assertThat(byId.get(cooperative).outcome()).isEqualTo(StopOutcome.STOPPED_CLEANLY);
    }
}
