package dev.tether.engine;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** An embedded engine with a recording checkpoint saver, for tests. */
final class EngineFixture implements AutoCloseable {
    final RunRegistry registry = new RunRegistry(100_000);
    final RecordingSaver saver = new RecordingSaver();
    final LocalEngine engine;

    EngineFixture(int concurrency, Duration grace, GraphDefinition... graphs) {
        this(concurrency, grace, Map.of(), graphs);
    }

    /** @param graces graphs' own cancel graces (as in isolation.properties); {@code grace} for the others */
    EngineFixture(int concurrency, Duration grace, Map<String, Duration> graces, GraphDefinition... graphs) {
        saver.watch(registry);
        var config = EngineConfig.defaults().withConcurrency(concurrency).withCancelGrace(grace).withCheckpointSaver(saver)
                .withIsolation(new IsolationPolicy(Isolation.THREAD, Map.of(), graces));
        engine = new LocalEngine(config, GraphCatalog.of(List.of(graphs)), registry);
    }

    String submit(String graph) {
        return engine.submit(graph, null, Map.of()).runId();
    }

    RunSnapshot run(String id) {
        return registry.get(id).orElseThrow();
    }

    /** Waits (polling every millisecond) until the run has started node {@code node}. */
    void awaitNode(String id, String node) {
        Awaitility.await().pollInterval(Duration.ofMillis(1)).atMost(Hang.IN_PROCESS)
                .until(() -> node.equals(run(id).currentNode()));
    }

    RunSnapshot awaitTerminal(String id) throws InterruptedException {
        return engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow(() -> new AssertionError("run " + id + " not terminal: " + run(id)));
    }

    void awaitStatus(String id, RunStatus status) {
        Awaitility.await().pollInterval(Duration.ofMillis(1)).atMost(Hang.IN_PROCESS)
                .until(() -> run(id).status() == status);
    }

    @Override
    public void close() {
        engine.shutdown(Duration.ofSeconds(10));
    }
}
