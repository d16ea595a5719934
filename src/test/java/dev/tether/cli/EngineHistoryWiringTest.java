package dev.tether.cli;

import dev.tether.testing.Hang;

import dev.tether.engine.LocalEngine;
import dev.tether.history.HistoryQuery;
import dev.tether.run.RunStatus;
import dev.tether.store.RunHistory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine of the console and `serve`: with the durable history in the Tether home, or without it when the store cannot be opened. */
class EngineHistoryWiringTest {
    @TempDir Path home;
    String previousHome;
    LocalEngine engine;
    final EngineOptions options = new EngineOptions();

    @BeforeEach
    void isolateHome() {
        previousHome = System.getProperty("tether.home");
        System.setProperty("tether.home", home.toString());
    }

    @AfterEach
    void restoreHome() {
        if (engine != null && !engine.isShutdown()) engine.shutdown(Duration.ofSeconds(5));
        options.closeHistory();
        if (previousHome == null) System.clearProperty("tether.home");
        else System.setProperty("tether.home", previousHome);
    }

    @Test
    void theEngineKeepsItsHistoryInTheHomeAndWritesTheLastStatesAfterItsShutdown() throws Exception {
        engine = options.localEngine();
        assertThat(engine.archive()).isInstanceOf(RunHistory.class);
        var id = engine.submit("book-workflow", null, Map.of("nodeMillis", 600_000, "jitter", 0.0)).runId();
        org.awaitility.Awaitility.await().until(() -> engine.registry().get(id).orElseThrow().status() == RunStatus.RUNNING);
        engine.shutdown(Duration.ofSeconds(5)); // cancels it
        options.closeHistory();
        try (var history = RunHistory.open(home.resolve("tether.db"))) {
            assertThat(history.find(id).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
        }
    }

    @Test
    void aStoreThatCannotBeOpenedCostsTheHistoryNotTheStart() throws Exception {
        Files.createDirectories(home.resolve("tether.db").resolve("in-the-way")); // a folder where the file should be
        engine = options.localEngine();
        assertThat(engine.archive()).isNotInstanceOf(RunHistory.class);
        var id = engine.submit("welcome-email", null, Map.of()).runId();
        assertThat(engine.awaitTerminal(id, Hang.IN_PROCESS)).isPresent();
        assertThat(engine.history(HistoryQuery.newest(10)).runs()).extracting(r -> r.runId()).containsExactly(id); // the runs in memory
    }
}
