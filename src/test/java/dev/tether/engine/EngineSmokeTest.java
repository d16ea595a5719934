package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.graphs.*;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EngineSmokeTest {
    @Test
    void runsAndCancels() throws Exception {
        var engine = new LocalEngine(EngineConfig.defaults().withCancelGrace(Duration.ofMillis(500)),
                GraphCatalog.of(new BookWorkflowGraph(), new WelcomeEmailGraph(), new CpuCrunchGraph(), new StubbornGraph()),
                new RunRegistry());
        var email = engine.submit("welcome-email", null, Map.of("nodeMillis", 10));
        var done = engine.awaitTerminal(email.runId(), Duration.ofSeconds(5)).orElseThrow();
        System.out.println(done);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        var book = engine.submit("book-workflow", null, Map.of("nodeMillis", 5000));
        Thread.sleep(300);
        long t0 = System.nanoTime();
        engine.cancel(book.runId());
        var c = engine.awaitTerminal(book.runId(), Duration.ofSeconds(5)).orElseThrow();
        System.out.println("cancel took " + (System.nanoTime() - t0) / 1000 + " us " + c);
        assertThat(c.status()).isEqualTo(RunStatus.CANCELLED);
        var cpu = engine.submit("cpu-crunch", null, Map.of());
        Thread.sleep(300);
        t0 = System.nanoTime();
        engine.cancel(cpu.runId());
        c = engine.awaitTerminal(cpu.runId(), Duration.ofSeconds(5)).orElseThrow();
        System.out.println("cancel took " + (System.nanoTime() - t0) / 1000 + " us " + c);
        var st = engine.submit("stubborn", null, Map.of("seconds", 3));
        Thread.sleep(300);
        engine.cancel(st.runId());
        c = engine.awaitTerminal(st.runId(), Duration.ofSeconds(5)).orElseThrow();
        System.out.println(c);
        assertThat(c.status()).isEqualTo(RunStatus.STUCK);
        System.out.println(engine.stats());
        System.out.println(engine.shutdown(Duration.ofSeconds(5)));
    }
}
