package dev.tether.engine;

import dev.tether.graphs.BookWorkflowGraph;
import dev.tether.graphs.StubbornGraph;
import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** close(timeout): cancel all, wait up to the timeout, report what did not stop, leave no thread. */
class ShutdownTest {

    private static long engineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tether-")).filter(Thread::isAlive).count();
    }

    @Test
    void cooperativeRunsAreCancelledAndNoEngineThreadRemains() throws Exception {
        var fx = new EngineFixture(4, Duration.ofSeconds(2), new BookWorkflowGraph());
        var ids = new ArrayList<String>();
        for (int i = 0; i < 20; i++) ids.add(fx.engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000)).runId());
        Awaitility.await().until(() -> fx.engine.stats().busy() == 4);

        var report = fx.engine.shutdown(Duration.ofSeconds(30));

        assertThat(report.clean()).isTrue();
        assertThat(report.cancelled()).isEqualTo(20);
        assertThat(report.took()).isLessThan(Duration.ofSeconds(2));
        assertThat(ids).allSatisfy(id -> assertThat(fx.run(id).status()).isEqualTo(RunStatus.CANCELLED));
        Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(5)).until(() -> engineThreads() == 0); // daemon slot threads end a moment after; 5 s for a loaded machine
        assertThat(fx.engine.isShutdown()).isTrue();
    }

    @Test
    void aStuckRunIsReportedAndDoesNotHoldTheShutdownPastItsTimeout() throws Exception {
        var fx = new EngineFixture(2, Duration.ofMillis(300), new StubbornGraph());
        var id = fx.engine.submit("stubborn", null, Map.of("seconds", 4)).runId();
        fx.awaitNode(id, "ignore-cancel");

        long t0 = System.nanoTime();
        var report = fx.engine.shutdown(Duration.ofSeconds(1));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(report.clean()).isFalse();
        assertThat(report.notStopped()).containsExactly(id);
        assertThat(tookMs).isBetween(900L, 2_000L);
        assertThat(fx.run(id).status()).isEqualTo(RunStatus.STUCK);
        // the spinning thread is a daemon: it cannot keep the JVM alive
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("tether-")))
                .allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(6)).until(() -> engineThreads() == 0);
    }

    @Test
    void noRunIsAcceptedAfterShutdown() {
        var fx = new EngineFixture(1, Duration.ofSeconds(1), new BookWorkflowGraph());
        fx.engine.shutdown(Duration.ofSeconds(1));
        assertThatThrownBy(() -> fx.engine.submit("book-workflow", null, Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
    }

    @Test
    void aFullQueueRefusesWithAClearMessageAndRegistersNothing() {
        var config = EngineConfig.defaults().withConcurrency(1).withQueueCapacity(2);
        var registry = new dev.tether.registry.RunRegistry();
        var engine = new LocalEngine(config, dev.tether.catalog.GraphCatalog.of(new BookWorkflowGraph()), registry);
        try {
            engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
            Awaitility.await().until(() -> engine.stats().busy() == 1);
            engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
            engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
            int before = registry.size();
            assertThatThrownBy(() -> engine.submit("book-workflow", null, Map.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessage("run queue is full (2 waiting); try again later");
            assertThat(registry.size()).isEqualTo(before);
        } finally {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void anUnknownGraphIsRefusedNamingTheKnownOnes() {
        var fx = new EngineFixture(1, Duration.ofSeconds(1), new BookWorkflowGraph());
        try {
            assertThatThrownBy(() -> fx.engine.submit("nope", null, Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown graph 'nope' (known: book-workflow)");
        } finally {
            fx.close();
        }
    }
}
