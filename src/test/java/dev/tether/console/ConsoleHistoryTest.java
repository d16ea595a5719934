package dev.tether.console;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.store.RunHistory;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The History tab over a durable store left by earlier processes (headless): pages newest first,
 * filters, a run its killed process left active shown LOST, and an unreadable record as one row.
 */
@ExtendWith(ApplicationExtension.class)
class ConsoleHistoryTest {
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    @TempDir static Path dir;
    private LocalEngine engine;
    private RunHistory history;
    private ConsoleWindow window;
    private String orphan;
    private String unreadable;
    private final List<String> finished = new ArrayList<>(); // newest first

    @Start
    void start(Stage stage) throws Exception {
        var file = Files.createTempDirectory(dir, "store").resolve("tether.db");
        var earlier = new RunRegistry();
        try (var h = RunHistory.open(file)) {
            var runs = new ArrayList<RunSnapshot>();
            for (int i = 0; i < 150; i++) {
                var r = run(earlier, i % 2 == 0 ? "alpha" : "beta", T0.plusSeconds(i), true);
                runs.add(r);
                finished.add(0, r.runId());
            }
            var active = run(earlier, "alpha", T0.plusSeconds(500), false);
            orphan = active.runId();
            runs.add(active);
            h.write(runs);
        }
        unreadable = finished.get(5);
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            // the process that ran it is gone (no process has this pid), and another record is garbage
            s.executeUpdate("UPDATE run_history SET owner_pid = 2147483000, owner_start = 1 WHERE run_id = '" + orphan + "'");
            s.executeUpdate("UPDATE run_history SET snapshot = '{\"runId\": \"trunc' WHERE run_id = '" + unreadable + "'");
        }
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.of(ConsoleGraphs.sleeper()), new RunRegistry());
        history = RunHistory.open(file);
        history.recoverLost(engine.registry());
        history.attach(engine.registry());
        engine.archive(history);
        engine.historySource(history);
        window = new ConsoleWindow(engine, ConsoleOptions.defaults().withShutdownTimeout(Duration.ofSeconds(5)));
        window.show(stage);
    }

    private static RunSnapshot run(RunRegistry registry, String graph, Instant end, boolean complete) {
        var id = RunIds.next();
        registry.apply(new RunEvent.Submitted(id, graph, "default", Map.of(), end.minusSeconds(2)));
        registry.apply(new RunEvent.Started(id, "local", end.minusSeconds(1)));
        var r = registry.apply(new RunEvent.NodeStarted(id, "draft", end.minusMillis(500))).after();
        return complete ? registry.apply(new RunEvent.Completed(id, end)).after() : r;
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.pump().stop()).get(5, TimeUnit.SECONDS);
        if (!engine.isShutdown()) engine.shutdown(Duration.ofSeconds(2));
        history.close();
    }

    @Test
    void pagesNewestFirstShowTheLostRunOfAKilledProcessAndAnUnreadableRecordAsOneRow(FxRobot robot) {
        robot.clickOn("History");
        var panel = window.controller().historyController;
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> panel.table.getItems().size() == 100));
        var first = fx(() -> panel.table.getItems().stream().toList());
        assertThat(first.getFirst().runId()).isEqualTo(orphan); // found LOST at start: it ended now
        assertThat(first.getFirst().status()).isEqualTo(RunStatus.LOST);
        assertThat(HistoryController.stoppedAt(first.getFirst())).isEqualTo("draft (lost: its process ended)");
        assertThat(first.subList(1, 100)).extracting(RunSnapshot::runId).isEqualTo(finished.subList(0, 99));
        var bad = first.stream().filter(r -> r.runId().equals(unreadable)).findFirst().orElseThrow();
        assertThat(HistoryController.stoppedAt(bad)).startsWith("unreadable record: ");
        assertThat(fx(() -> panel.positionLabel.getText())).isEqualTo("Newest 100");
        assertThat(fx(() -> panel.newerButton.isDisabled())).isTrue();

        robot.clickOn("#historyOlder");
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> "Page 2".equals(panel.positionLabel.getText())));
        assertThat(fx(() -> panel.table.getItems().stream().map(RunSnapshot::runId).toList())).isEqualTo(finished.subList(99, 150));
        assertThat(fx(() -> panel.olderButton.isDisabled())).isTrue();

        robot.clickOn("#historyNewer");
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> "Newest 100".equals(panel.positionLabel.getText())));

        WaitForAsyncUtils.asyncFx(() -> panel.statusFilter.setValue("LOST"));
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> panel.table.getItems().size() == 1));
        WaitForAsyncUtils.asyncFx(() -> {
            panel.statusFilter.setValue(HistoryController.ALL_STATUSES);
            panel.graphFilter.setValue("beta");
        });
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> panel.table.getItems().size() == 75
                && panel.table.getItems().stream().allMatch(r -> r.graphId().equals("beta"))));
    }

    @Test
    void aRunThatEndsJoinsTheNewestPageAtOnceAndOpensInTheDetails(FxRobot robot) throws Exception {
        robot.clickOn("History");
        var panel = window.controller().historyController;
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> panel.table.getItems().size() == 100));
        var id = engine.submit("sleeper", null, Map.of("millis", 1L)).runId();
        engine.awaitTerminal(id, Duration.ofSeconds(10)).orElseThrow();
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> panel.table.getItems().getFirst().runId().equals(id)));
        assertThat(fx(() -> panel.table.getItems().size())).isEqualTo(100);
        WaitForAsyncUtils.asyncFx(() -> panel.table.getSelectionModel().select(0));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> panel.selectedRun().get().getValue().runId())).isEqualTo(id);
        assertThat(history.find(id).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    private static <T> T fx(Callable<T> c) {
        try {
            return WaitForAsyncUtils.asyncFx(c).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
