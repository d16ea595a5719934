package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.process.ChildLauncher;
import dev.tether.engine.process.ChildPool;
import dev.tether.engine.process.ProcessGraphs;
import dev.tether.run.StopLevel;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stop asked for while a child JVM is being handed the run reaches the run: it is sent after the
 * run, never before it (a child drops a stop for a run it has not been given, and the run then went
 * on to complete). Found by ProcessIsolationTest's 200 submit/cancel cycles, about once in ten
 * suites; here the cancel lands in that moment every time.
 */
@Tag("process")
class ProcessRunDriverStopTest {
    static final RunRegistry registry = new RunRegistry();
    static final GraphCatalog catalog = GraphCatalog.of(new ProcessGraphs.Cooperative());
    static ChildPool pool;
    static ProcessRunDriver driver;

    @BeforeAll
    static void start() {
        pool = new ChildPool(ChildLauncher.forCatalog(catalog, "local"), 1);
        driver = new ProcessRunDriver(pool, registry, null, null, catalog);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @ParameterizedTest
    @EnumSource(value = StopLevel.class, names = {"CANCEL", "KILL"})
    void aStopAskedForWhileTheChildIsTakenEndsTheRun(StopLevel level) {
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(20)).until(() -> pool.idle() == 1);
        var id = RunIds.next();
        // a node that sleeps as long as a hang: only a lost stop lets it complete
        var input = Map.<String, Object>of("millis", Hang.IN_PROCESS.toMillis());
        registry.apply(new RunEvent.Submitted(id, "coop", "default", input, Instant.now()));
        registry.apply(new RunEvent.Started(id, "local", Instant.now()));
        var control = new RunControl(id);
        driver.afterChildTaken = taken -> { // as LocalEngine.cancel: on record, then to the run
            registry.apply(new RunEvent.CancelRequested(id, Instant.now(), level, null, null));
            control.stop(level);
        };
        try {
            var end = driver.drive(new RunRequest(id, "coop", "default", input, Instant.now()), control);
            assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        } finally {
            driver.afterChildTaken = taken -> {};
        }
    }
}
