package dev.tether.catalog;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** Graphs that misbehave in every describing method, and nodes whose exceptions misbehave, on a real engine. */
class HostileGraphsTest {

    /** A graph whose node throws what {@code error} makes. */
    record Throwing(String id, Supplier<RuntimeException> error) implements GraphDefinition {
        public String title() { return id; }
        public String description() { return "throws"; }
        public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("boom", node_async(s -> { throw error.get(); }))
                    .addEdge(StateGraph.START, "boom").addEdge("boom", StateGraph.END);
        }
    }

    static final class MessageThrows extends RuntimeException {
        @Override
        public String getMessage() {
            throw new UnsupportedOperationException("getMessage");
        }

        @Override
        public String toString() {
            throw new UnsupportedOperationException("toString");
        }
    }

    static final class Cycle extends RuntimeException {
        @Override
        public synchronized Throwable getCause() {
            return new Cycle2(this);
        }
    }

    static final class Cycle2 extends RuntimeException {
        final Throwable back;

        Cycle2(Throwable back) {
            this.back = back;
        }

        @Override
        public synchronized Throwable getCause() {
            return back;
        }
    }

    @Test
    void nodeExceptionsThatBreakTheirOwnMessageOrLoopFailTheRunAndKeepTheSlot() throws Exception {
        var catalog = GraphCatalog.of(new Throwing("hostile-message", MessageThrows::new), new Throwing("cycle", Cycle::new),
                new Throwing("fine", () -> new IllegalStateException("plain")));
        assertThat(catalog.problems()).isEmpty();
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), catalog, new RunRegistry());
        try {
            for (var graph : new String[] {"hostile-message", "cycle", "fine", "hostile-message"}) {
                var id = engine.submit(graph, null, Map.of()).runId();
                var end = engine.awaitTerminal(id, Hang.IN_PROCESS);
                assertThat(end).as(graph + " ended (its one slot survived the run before)").isPresent();
                assertThat(end.get().status()).isEqualTo(RunStatus.FAILED);
                assertThat(end.get().error()).isNotNull();
            }
            assertThat(engine.stats().capacity()).isEqualTo(1);
        } finally {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    /** A definition whose describing methods throw or lie, one at a time. */
    record Describing(String id, String failing) implements GraphDefinition {
        private <T> T unless(String method, T value) {
            if (method.equals(failing)) throw new IllegalStateException(method + " is broken");
            return value;
        }
        public String title() { return unless("title", "T"); }
        public String description() { return unless("description", "D"); }
        public String defaultQueue() { return failing.equals("queue-name") ? "no spaces please" : unless("defaultQueue", "default"); }
        public Map<String, Object> defaultInput() {
            if (failing.equals("nan-input")) return Map.of("x", Double.NaN);
            if (failing.equals("odd-input")) return Map.of("x", new Object());
            return unless("defaultInput", Map.of("n", 1));
        }
        public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
            return new StateGraph<>(AgentState::new).addNode("a", node_async(s -> Map.of()))
                    .addEdge(StateGraph.START, "a").addEdge("a", StateGraph.END);
        }
    }

    @Test
    void aGraphWhoseDescribingMethodsThrowIsAProblemAndSkipped() throws Exception {
        var catalog = GraphCatalog.of(new Describing("good", "none"), new Describing("t", "title"), new Describing("d", "description"),
                new Describing("q", "defaultQueue"), new Describing("i", "defaultInput"), new Describing("qn", "queue-name"),
                new Describing("nan", "nan-input"), new Describing("odd", "odd-input"), new Describing("Bad Id", "none"));
        assertThat(catalog.all()).extracting(GraphDefinition::id).containsExactly("good");
        assertThat(catalog.problems()).hasSize(8).allSatisfy(p -> assertThat(p).endsWith("skipped").doesNotContain("\n"));
        assertThat(catalog.problems()).anySatisfy(p -> assertThat(p).contains("title() threw IllegalStateException: title is broken"))
                .anySatisfy(p -> assertThat(p).contains("defaultInput() threw"))
                .anySatisfy(p -> assertThat(p).contains("invalid default queue"))
                .anySatisfy(p -> assertThat(p).contains("default input 'x' is Double NaN"))
                .anySatisfy(p -> assertThat(p).contains("invalid id 'Bad Id'"));

        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), catalog, new RunRegistry());
        try {
            assertThat(engine.graphs()).extracting(g -> g.id()).containsExactly("good");
            var id = engine.submit("good", null, Map.of()).runId();
            assertThat(engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        } finally {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }
}
