package dev.tether.engine;

import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A STUCK run keeps its thread; its slot is replaced only while at most as many STUCK threads live
 * as the engine has slots. Past that the engine takes fewer runs, and with none left a submit is
 * refused with the reason; a STUCK thread that ends gives its slot back.
 */
class StuckThreadsCapTest {
    /** While set, node "spin" ignores interrupts and its token. */
    private final AtomicBoolean deaf = new AtomicBoolean(true);
    private EngineFixture fx;

    @AfterEach
    void close() {
        deaf.set(false); // no spinning thread outlives the test
        if (fx != null) fx.close();
    }

    private TestGraph graph() {
        return TestGraph.linear("deaf", "spin", (TestGraph.Body) s -> {
            while (deaf.get()) Thread.onSpinWait();
            return Map.of();
        });
    }

    private String stuckRun() {
        var id = fx.submit("deaf");
        fx.awaitNode(id, "spin");
        fx.engine.cancel(id);
        fx.awaitStatus(id, RunStatus.STUCK);
        return id;
    }

    /** Threads that execute runs, in any engine of this JVM. */
    private static long runThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().matches("tether-\\d+-run-\\d+")).count();
    }

    @Test
    void stuckThreadsAreCappedAndTheirSlotsComeBackWhenTheyEnd() throws Exception {
        long before = runThreads();
        fx = new EngineFixture(1, Duration.ofMillis(200), graph());
        stuckRun(); // its slot is replaced: one STUCK thread, as many as there are slots
        assertThat(fx.engine.stats().capacity()).isEqualTo(1);
        stuckRun(); // past the cap: not replaced
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fx.engine.stats().capacity() == 0);
        assertThat(fx.engine.stats().stuck()).isEqualTo(2);
        assertThatThrownBy(() -> fx.submit("deaf")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no slot can take a run: 2 STUCK runs hold this engine's threads");
        assertThat(runThreads() - before).as("run threads: the slots plus at most as many STUCK ones").isLessThanOrEqualTo(2);

        deaf.set(false); // the STUCK nodes return at last
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fx.engine.stats().capacity() == 1 && fx.engine.stats().stuck() == 0);
        var id = fx.submit("deaf");
        assertThat(fx.awaitTerminal(id).status()).isEqualTo(RunStatus.COMPLETED);
    }
}
