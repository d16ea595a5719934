package dev.tether.console;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import dev.tether.testing.Hang;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tether.testing.Hang.eventually;

/** The console as an operator uses it: real scene graph, real engine, robot clicks (headless). */
@ExtendWith(ApplicationExtension.class)
class ConsoleWindowTest {
    private Set<Thread> threadsBefore;
    private LocalEngine engine;
    private ConsoleWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        threadsBefore = Thread.getAllStackTraces().keySet();
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(4).withCancelGrace(Duration.ofMillis(500)),
                GraphCatalog.of(ConsoleGraphs.sleeper(), ConsoleGraphs.failing(), ConsoleGraphs.stubborn(), ConsoleGraphs.deaf()),
                new RunRegistry());
        // a force deadline only a hang reaches: whether runs stop cleanly must not depend on the machine's load
        window = new ConsoleWindow(engine, ConsoleOptions.defaults().withShutdownTimeout(Hang.IN_PROCESS)
                .withLinger(Duration.ofSeconds(30)));
        window.show(stage);
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.pump().stop()).get(Hang.IN_PROCESS.toSeconds(), TimeUnit.SECONDS); // the next test opens its own window
        if (!engine.isShutdown()) engine.shutdown(Duration.ofSeconds(2));
        ConsoleGraphs.releaseDeaf();
    }

    @Test
    void submittingFromTheDialogAddsARowThatRuns(FxRobot robot) {
        robot.clickOn("#submitButton");
        ComboBox<?> graphs = robot.lookup("#graphChoice").queryAs(ComboBox.class);
        robot.clickOn(graphs).clickOn("Sleeper  (sleeper)");
        TextField value = robot.lookup(".input-value").queryAs(TextField.class);
        robot.doubleClickOn(value).eraseText(10).write("120000");
        robot.clickOn("#dialogSubmit");

        eventually().until(() -> fx(() -> rowsOf("sleeper").stream()
                .anyMatch(r -> r.status() == RunStatus.RUNNING)));
        var run = engine.registry().active().getFirst();
        assertThat(run.graphId()).isEqualTo("sleeper");
        assertThat(run.queue()).isEqualTo("ops");
        assertThat(run.input()).containsEntry("millis", 120_000L);
    }

    @Test
    void theDialogRefusesInputOfTheWrongTypeWithOneLine(FxRobot robot) {
        robot.clickOn("#submitButton");
        ComboBox<?> graphs = robot.lookup("#graphChoice").queryAs(ComboBox.class);
        robot.clickOn(graphs).clickOn("Sleeper  (sleeper)");
        robot.doubleClickOn(robot.lookup(".input-value").queryAs(TextField.class)).eraseText(10).write("soon");

        assertThat(fx(() -> robot.lookup("#dialogSubmit").query().isDisabled())).isTrue();
        assertThat(fx(() -> robot.lookup("#submitProblem").queryAs(Label.class).getText()))
                .isEqualTo("Input 'millis' must be an integer, got 'soon'.");
        robot.type(KeyCode.ESCAPE);
        assertThat(engine.registry().size()).isZero();
    }

    /** How soon the badge turns is measured, not tested: the cancel's latency and the change-to-row delay (BENCHMARKS.md). */
    @Test
    void aRowsCancelButtonStopsASleepingRunAndTheRowShowsCancelled(FxRobot robot) {
        var id = engine.submit("sleeper", null, Map.of()).runId(); // its node sleeps a minute: only the cancel ends it sooner
        eventually().until(() -> fx(() -> cancelButtons(robot).size() == 1
                && status(id) == RunStatus.RUNNING));

        robot.clickOn(cancelButtons(robot).getFirst());
        eventually().until(() -> fx(() -> visibleBadges(robot).contains("CANCELLED")));
        var run = engine.registry().get(id).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).as("stopped inside its sleeping node").isEqualTo("wait");
        assertThat(run.forced()).isFalse();
        assertThat(fx(() -> cancelButtons(robot))).as("no cancel button on a finished run").isEmpty();
    }

    @Test
    void theRowMenuStopsAfterTheNodeAndTheDetailsPaneEscalatesToACancel(FxRobot robot) {
        var id = engine.submit("sleeper", null, Map.of()).runId();
        eventually().until(() -> fx(() -> cancelButtons(robot).size() == 1 && status(id) == RunStatus.RUNNING));
        robot.clickOn(robot.lookup("#activeTable .badge").queryAs(Label.class)); // selects the row
        // (a right click opens no context menu on the headless platform: the item is fired as the menu would)
        var first = fx(() -> window.controller().activeController.rowMenu.getItems().getFirst());
        assertThat(fx(first::getText)).isEqualTo("Stop after this node");
        WaitForAsyncUtils.asyncFx(first::fire);
        eventually().until(() -> status(id) == RunStatus.CANCELLING);
        // it stays CANCELLING (its node sleeps a minute) until escalated: the badge says so meanwhile
        eventually().until(() -> fx(() -> visibleBadges(robot).equals(List.of("CANCELLING"))));
        WaitForAsyncUtils.sleep(300, TimeUnit.MILLISECONDS);
        assertThat(status(id)).as("level 1 does not interrupt the sleeping node").isEqualTo(RunStatus.CANCELLING);

        var levels = fx(() -> robot.lookup(".stop-levels").queryAs(javafx.scene.layout.HBox.class));
        assertThat(fx(levels::isVisible)).as("the details pane offers the stop levels").isTrue();
        eventually("a stop under way is escalated, never softened")
                .until(() -> fx(() -> levels.getChildren().getFirst().isDisabled()));
        robot.clickOn((Node) fx(() -> levels.getChildren().get(1))); // Cancel: escalates
        eventually().until(() -> status(id) == RunStatus.CANCELLED);
        assertThat(engine.registry().get(id).orElseThrow().forced()).isFalse();
    }

    @Test
    void aCancelledRunIsResumedFromTheDetailsPaneAndListsItsAttemptsAndCheckpoints(FxRobot robot) {
        var id = engine.submit("sleeper", null, Map.of()).runId();
        eventually().until(() -> "wait".equals(engine.registry().get(id).orElseThrow().currentNode()));
        engine.cancel(id);
        eventually().until(() -> status(id) == RunStatus.CANCELLED);
        eventually().until(() -> fx(() -> visibleBadges(robot).contains("CANCELLED")));
        robot.clickOn(robot.lookup("#activeTable .badge").queryAs(Label.class)); // selects the row

        var resume = fx(() -> robot.lookup("#resumeButton").queryAs(javafx.scene.control.Button.class));
        eventually("the details pane offers Resume once the checkpoints are read")
                .until(() -> fx(() -> resume.isVisible() && robot.lookup(".checkpoint-row").queryAll().size() == 2));
        assertThat(fx(() -> robot.lookup(".checkpoint-text").queryAllAs(Label.class).stream().map(Label::getText).toList()))
                .satisfiesExactly(t -> assertThat(t).startsWith("after __START__"), t -> assertThat(t).startsWith("after prepare"));
        robot.clickOn(resume);

        eventually().until(() -> engine.registry().all().stream()
                .anyMatch(r -> r.resumeOf() != null && r.resumeOf().runId().equals(id)));
        var attempt = engine.registry().all().stream().filter(r -> r.resumeOf() != null).findFirst().orElseThrow();
        assertThat(attempt.resumeOf().node()).isEqualTo("prepare");
        eventually().until(() -> "wait".equals(engine.registry().get(attempt.runId()).orElseThrow().currentNode()));
        assertThat(engine.registry().get(attempt.runId()).orElseThrow().timeline()).extracting(dev.tether.run.NodeSpan::node)
                .as("only the nodes after the checkpoint run again").containsExactly("wait");
        eventually("the shown run lists both attempts")
                .until(() -> fx(() -> robot.lookup(".attempt-text").queryAll().size() == 2));
    }

    @Test
    void ctrlNOpensTheSubmitDialog(FxRobot robot) {
        robot.press(KeyCode.CONTROL, KeyCode.N).release(KeyCode.N, KeyCode.CONTROL);
        eventually().until(() -> fx(() -> robot.lookup("#graphChoice").tryQuery().isPresent()));
        robot.type(KeyCode.ESCAPE);
        assertThat(engine.registry().size()).isZero();
    }

    @Test
    void theSubmitDialogRefusesAQueueThatWouldAliasARedisKeyAndAnInputOverTheLimit(FxRobot robot) {
        robot.press(KeyCode.CONTROL, KeyCode.N).release(KeyCode.N, KeyCode.CONTROL);
        eventually().until(() -> fx(() -> robot.lookup("#queueField").tryQuery().isPresent()));
        var queue = fx(() -> robot.lookup("#queueField").queryAs(javafx.scene.control.TextField.class));
        var problem = fx(() -> robot.lookup("#submitProblem").queryAs(Label.class));
        javafx.scene.Node submit = fx(() -> robot.lookup("#dialogSubmit").query());
        fx(() -> { queue.setText("email:runs"); return null; });
        assertThat(fx(problem::getText)).isEqualTo("Queue must be 1-64 letters, digits, '_', '-' or '.'.");
        assertThat(fx(submit::isDisabled)).isTrue();
        fx(() -> { queue.setText("email"); return null; });
        assertThat(fx(problem::getText)).isEmpty();
        fx(() -> {
            robot.lookup("#addInput").queryButton().fire();
            var keys = robot.lookup(".input-key").queryAllAs(javafx.scene.control.TextField.class);
            var values = robot.lookup(".input-value").queryAllAs(javafx.scene.control.TextField.class);
            new java.util.ArrayList<>(keys).getLast().setText("note");
            new java.util.ArrayList<>(values).getLast().setText("x".repeat(dev.tether.engine.InputLimit.MAX_BYTES));
            return null;
        });
        assertThat(fx(problem::getText)).startsWith("Input is ").endsWith("larger than the limit of 32768 bytes.");
        assertThat(fx(submit::isDisabled)).isTrue();
        robot.type(KeyCode.ESCAPE);
        assertThat(engine.registry().size()).isZero();
    }

    /**
     * The run ignores its cancel until the test lets it go, so it is STUCK after the grace however
     * late the click lands. (Its CANCELLING moment lasts only the grace, 500 ms here: a console that
     * misses it on a busy machine shows the newest state, as it must; the CANCELLING badge is shown
     * by the stop-after-node test, where the run stays CANCELLING.)
     */
    @Test
    void aRunThatIgnoresItsCancelShowsStuckNeverCancelledAndIsNotified(FxRobot robot) {
        var id = engine.submit("deaf", null, Map.of()).runId();
        eventually().until(() -> "ignore-cancel".equals(engine.registry().get(id).orElseThrow().currentNode()));
        eventually().until(() -> fx(() -> cancelButtons(robot).size() == 1)); // the row is drawn a pulse later
        robot.clickOn(cancelButtons(robot).getFirst());

        eventually().until(() -> fx(() -> visibleBadges(robot).equals(List.of("STUCK"))));
        assertThat(status(id)).as("final: never CANCELLED").isEqualTo(RunStatus.STUCK);
        eventually().until(() -> fx(() -> window.notifier().shown().stream().anyMatch(t -> t.startsWith("Run stuck: deaf"))));
        assertThat(fx(() -> cancelButtons(robot))).isEmpty();
        robot.clickOn(robot.lookup("#activeTable .badge").queryAs(Label.class));
        var hint = fx(() -> robot.lookup(".stop-hint").queryAs(Label.class));
        eventually().until(() -> fx(hint::isVisible));
        assertThat(fx(hint::getText)).as("how to get a forced stop next time").contains("process isolation").contains("deaf = process");
        ConsoleGraphs.releaseDeaf();
        eventually("the STUCK run's thread ends (no later test may count it)").until(() -> engine.stats().stuck() == 0);
    }

    @Test
    void aStuckRunStaysActiveWithAKillThatSaysWhyItCannotUntilItsThreadIsGone(FxRobot robot) {
        var id = engine.submit("deaf", null, Map.of()).runId();
        eventually().until(() -> "ignore-cancel".equals(engine.registry().get(id).orElseThrow().currentNode()));
        engine.cancel(id);
        eventually().until(() -> status(id) == RunStatus.STUCK);
        eventually("a STUCK run whose thread still runs offers a kill")
                .until(() -> fx(() -> killButtons(robot).size() == 1));
        assertThat(fx(() -> visibleBadges(robot))).containsExactly("STUCK");

        robot.clickOn(killButtons(robot).getFirst());
        eventually().until(() -> fx(() -> window.notifier().shown().stream()
                .anyMatch(t -> t.contains("cannot be killed in this process"))));
        assertThat(status(id)).as("nothing a thread could not do was pretended").isEqualTo(RunStatus.STUCK);

        ConsoleGraphs.releaseDeaf(); // its node returns: the thread is gone
        eventually("the kill goes with the thread").until(() -> fx(() -> killButtons(robot).isEmpty()));
        assertThat(fx(() -> visibleBadges(robot))).as("then it lingers like any finished run").containsExactly("STUCK");
        assertThat(engine.stats().stuck()).isZero();
    }

    @Test
    void theWorkersTabShowsWhereRunsExecute(FxRobot robot) {
        engine.submit("sleeper", null, Map.of());
        robot.clickOn("Workers");
        eventually().until(() -> fx(() -> window.controller().workersController.table.getItems().size() == 1
                && window.controller().workersController.table.getItems().getFirst().info().get().busy() == 1));
        var local = fx(() -> window.controller().workersController.table.getItems().getFirst().info().get());
        assertThat(local.name()).isEqualTo("local");
        assertThat(local.concurrency()).isEqualTo(4);
    }

    @Test
    void cancelAllAsksFirstThenCancelsEveryActiveRun(FxRobot robot) {
        for (int i = 0; i < 6; i++) engine.submit("sleeper", null, Map.of()); // 4 run, 2 queue
        eventually().until(() -> fx(() -> window.activeModel().size() == 6));

        robot.clickOn("#cancelAllButton");
        robot.clickOn("Keep running");
        assertThat(engine.registry().active()).hasSize(6);

        robot.clickOn("#cancelAllButton");
        robot.clickOn("Cancel all 6 runs");
        eventually().until(() -> engine.registry().active().isEmpty());
        assertThat(engine.registry().all()).extracting(RunSnapshot::status).containsOnly(RunStatus.CANCELLED);
        eventually().until(() -> fx(() -> visibleBadges(robot).stream()
                .filter("CANCELLED"::equals).count() == 6));
    }

    @Test
    void afterCancelAllADismissibleSummaryGivesEachRunsOutcome(FxRobot robot) {
        var sleeper = engine.submit("sleeper", null, Map.of()).runId();
        // ignores its cancel without spinning a core: the FX thread must not starve while the summary waits
        var stubborn = engine.submit("deaf", null, Map.of()).runId();
        eventually().until(() -> "ignore-cancel".equals(engine.registry().get(stubborn).orElseThrow().currentNode())
                && status(sleeper) == RunStatus.RUNNING);
        eventually().until(() -> fx(() -> window.activeModel().size() == 2));

        robot.clickOn("#cancelAllButton");
        robot.clickOn("Cancel all 2 runs");

        var summary = window.controller().cancelSummary;
        eventually().until(() -> fx(() -> summary.isVisible() && summary.title().contains("1 stopped cleanly")));
        assertThat(fx(summary::title)).isEqualTo("Cancel all: 2 runs — 1 stopped cleanly · 0 forced · 1 still running · 0 already finished");
        @SuppressWarnings("unchecked")
        TableView<dev.tether.engine.RunStopReport> table = fx(() -> robot.lookup("#cancelSummaryTable").queryAs(TableView.class));
        Map<String, dev.tether.engine.RunStopReport> byRun = fx(() -> table.getItems().stream()
                .collect(java.util.stream.Collectors.toMap(dev.tether.engine.RunStopReport::runId, r -> r)));
        assertThat(byRun.get(sleeper).outcome()).isEqualTo(dev.tether.engine.StopOutcome.STOPPED_CLEANLY);
        assertThat(byRun.get(sleeper).cancelLatencyMillis()).isNotNull();
        assertThat(byRun.get(stubborn).outcome()).isEqualTo(dev.tether.engine.StopOutcome.STILL_RUNNING);
        assertThat(byRun.get(stubborn).status()).isEqualTo(RunStatus.STUCK);
        assertThat(engine.registry().get(sleeper).orElseThrow().cancelOrigin()).isEqualTo(dev.tether.run.CancelOrigin.CONSOLE);

        robot.clickOn("#dismissCancelSummary");
        assertThat(fx(summary::isVisible)).isFalse();
        ConsoleGraphs.releaseDeaf();
        eventually("the STUCK run's thread ends (no later test may count it)")
                .until(() -> engine.stats().stuck() == 0);
    }

    @Test
    void theDetailsPaneSaysWhichStopLevelEndedTheRunAndWhoAskedForIt(FxRobot robot) {
        var id = engine.submit("sleeper", null, Map.of()).runId();
        eventually().until(() -> status(id) == RunStatus.RUNNING);
        engine.cancel(id, dev.tether.run.CancelRequest.by(dev.tether.run.CancelOrigin.CLI).at(dev.tether.run.StopLevel.KILL));
        eventually().until(() -> fx(() -> visibleBadges(robot).contains("CANCELLED")));
        robot.clickOn(robot.lookup("#activeTable .badge").queryAs(Label.class));

        eventually().until(() -> fx(() -> detailTexts(robot).contains("Stop level")));
        var texts = fx(() -> detailTexts(robot));
        assertThat(texts.get(texts.indexOf("Stop level") + 1)).isEqualTo("kill");
        assertThat(texts.get(texts.indexOf("Asked by") + 1)).isEqualTo("command line");
    }

    private static List<String> detailTexts(FxRobot robot) {
        return robot.lookup(".details-fields .label").queryAllAs(Label.class).stream().map(Label::getText).toList();
    }

    @Test
    void theMetricsTabShowsCancelLatencyPerWorkerAndGraphAndOutcomesPerGraph(FxRobot robot) {
        var a = engine.submit("sleeper", null, Map.of()).runId();
        var b = engine.submit("sleeper", null, Map.of()).runId();
        var f = engine.submit("failing", null, Map.of()).runId();
        eventually().until(() -> status(a) == RunStatus.RUNNING && status(b) == RunStatus.RUNNING
                && status(f) == RunStatus.FAILED);
        engine.cancel(a);
        engine.cancel(b);
        eventually().until(() -> status(a) == RunStatus.CANCELLED && status(b) == RunStatus.CANCELLED);
        robot.clickOn("Metrics");

        var metrics = window.controller().metricsController;
        eventually().until(() -> fx(() -> metrics.latencyTable.getItems().size() == 2));
        var latency = fx(() -> List.copyOf(metrics.latencyTable.getItems()));
        assertThat(latency).extracting(OutcomeStats.LatencyRow::scope, OutcomeStats.LatencyRow::name, OutcomeStats.LatencyRow::stops)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("worker", "local", 2), org.assertj.core.groups.Tuple.tuple("graph", "sleeper", 2));
        assertThat(latency.getFirst().max()).isGreaterThanOrEqualTo(latency.getFirst().p50());
        var outcomes = fx(() -> List.copyOf(metrics.outcomeTable.getItems()));
        assertThat(outcomes).containsExactly(new OutcomeStats.OutcomeRow("failing", 0, 0, 0, 0, 1, 0),
                new OutcomeStats.OutcomeRow("sleeper", 0, 2, 0, 0, 0, 0));
    }

    @Test
    void deleteCancelsTheSelectedRowsOnly(FxRobot robot) {
        var a = engine.submit("sleeper", null, Map.of()).runId();
        var b = engine.submit("sleeper", null, Map.of()).runId();
        var c = engine.submit("sleeper", null, Map.of()).runId();
        eventually().until(() -> fx(() -> window.activeModel().size() == 3));
        WaitForAsyncUtils.asyncFx(() -> {
            var table = window.controller().activeController.table;
            table.getSelectionModel().clearSelection();
            for (int i = 0; i < table.getItems().size(); i++) {
                var id = table.getItems().get(i).runId();
                if (id.equals(a) || id.equals(c)) table.getSelectionModel().select(i);
            }
            table.requestFocus();
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.type(KeyCode.DELETE);

        eventually().until(() -> status(a) == RunStatus.CANCELLED && status(c) == RunStatus.CANCELLED);
        assertThat(status(b)).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void theTextAndStatusFiltersNarrowTheTable(FxRobot robot) {
        engine.submit("sleeper", null, Map.of());
        engine.submit("sleeper", null, Map.of());
        var failed = engine.submit("failing", "batch", Map.of()).runId();
        eventually().until(() -> fx(() -> window.activeModel().size() == 3
                && status(failed) == RunStatus.FAILED));

        robot.clickOn("#filterField").write("batch");
        eventually().until(() -> fx(() -> shownGraphs().equals(List.of("failing"))));
        robot.clickOn("#filterField").eraseText(5);
        eventually().until(() -> fx(() -> shownGraphs().size() == 3));

        var statusFilter = window.controller().statusFilter;
        assertThat(fx(statusFilter::getTitle)).as("nothing checked: every status shows").isEqualTo("All statuses");
        WaitForAsyncUtils.asyncFx(() -> statusFilter.getCheckModel().check(RunStatus.RUNNING));
        eventually().until(() -> fx(() -> shownGraphs().equals(List.of("sleeper", "sleeper"))));
        assertThat(fx(statusFilter::getTitle)).isEqualTo("Only Running");
    }

    @Test
    void theStatusFilterSaysWhatItShowsInWords() {
        assertThat(MainController.statusFilterTitle(List.of())).isEqualTo("All statuses");
        assertThat(MainController.statusFilterTitle(List.of(RunStatus.STUCK, RunStatus.FAILED))).isEqualTo("Only Failed, Stuck");
        assertThat(MainController.statusFilterTitle(List.of(RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING)))
                .isEqualTo("3 statuses");
        assertThat(MainController.statusFilterTitle(List.of(RunStatus.values()))).isEqualTo("All statuses");
    }

    @Test
    void aFailureIsNotifiedAndItsErrorShownInTheDetails(FxRobot robot) {
        var id = engine.submit("failing", null, Map.of()).runId();
        eventually().until(() -> fx(() -> window.notifier().shown().stream()
                .anyMatch(t -> t.startsWith("Run failed: failing"))));

        WaitForAsyncUtils.asyncFx(() -> window.controller().activeController.table.getSelectionModel().select(0));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> robot.lookup(".error-summary").queryAs(Label.class).getText()))
                .contains("IllegalStateException").contains("disk full while writing chapter 2");
        assertThat(fx(() -> robot.lookup(".stack").queryAs(javafx.scene.control.TextArea.class).getText()))
                .contains("at ");
        assertThat(engine.registry().get(id).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void atTheDefaultSizeNoHeaderAndNoStatusBadgeIsCut(FxRobot robot) {
        var completed = engine.submit("sleeper", null, Map.of("millis", 10)).runId();
        var cancelled = engine.submit("sleeper", null, Map.of()).runId();
        var failed = engine.submit("failing", null, Map.of()).runId();
        eventually().until(() -> status(cancelled) == RunStatus.RUNNING);
        engine.cancel(cancelled);
        eventually().until(() -> status(completed) == RunStatus.COMPLETED
                && status(cancelled) == RunStatus.CANCELLED && status(failed) == RunStatus.FAILED);
        assertThat(fx(() -> stage.getScene().getWidth())).isEqualTo(1280);

        for (var tab : List.of("History", "Metrics", "Active")) {
            robot.clickOn(tab);
            if (tab.equals("History")) {
                eventually().until(() -> fx(() -> robot.lookup("#historyTable .badge").queryAllAs(Label.class)
                        .stream().filter(Node::isVisible).map(Label::getText).collect(Collectors.toSet())
                        .containsAll(Set.of("COMPLETED", "CANCELLED", "FAILED"))));
            }
            // columns take their measured widths a pulse or two after the tab first shows
            eventually().untilAsserted(() -> assertThat(fx(() -> cutHeaders(robot))).as("headers cut on the " + tab + " tab").isEmpty());
            eventually().untilAsserted(() -> assertThat(fx(() -> cutBadges(robot))).as("status badges cut on the " + tab + " tab").isEmpty());
            if (tab.equals("Metrics")) { // the cancel's latency row: "30 ms" in each of p50, p99 and max, not "30 ..."
                eventually().until(() -> fx(() -> !window.controller().metricsController.latencyTable.getItems().isEmpty()));
                eventually().untilAsserted(() -> assertThat(fx(() -> cutCells(robot, "#latencyTable"))).as("latency cells cut").isEmpty());
                eventually().untilAsserted(() -> assertThat(fx(() -> cutCells(robot, "#outcomeTable"))).as("outcome cells cut").isEmpty());
                // and room for the widest a latency can print, whatever this run measured
                for (var widest : List.of("0.88 ms", "999 ms", "59.9 s", "0:12:34")) {
                    assertThat(fx(() -> latencyColumnsTooNarrowFor(robot, widest))).as("latency columns that cut \"%s\"", widest).isEmpty();
                }
            }
        }
    }

    /** The latency columns whose cells are narrower than the text, in the cells' own font and padding. */
    private static List<String> latencyColumnsTooNarrowFor(FxRobot robot, String text) {
        var cell = robot.lookup("#latencyTable .table-cell").queryAll().stream()
                .filter(n -> n instanceof javafx.scene.control.TableCell<?, ?> c && !c.isEmpty()).findFirst().orElseThrow();
        var c = (javafx.scene.control.TableCell<?, ?>) cell;
        var probe = new javafx.scene.text.Text(text);
        probe.setFont(c.getFont());
        double needed = probe.getLayoutBounds().getWidth() + c.snappedLeftInset() + c.snappedRightInset();
        var table = (TableView<?>) robot.lookup("#latencyTable").query();
        return table.getColumns().stream().filter(col -> List.of("p50", "p99", "max").contains(col.getText()))
                .filter(col -> col.getWidth() < needed).map(col -> col.getText() + " " + col.getWidth() + " < " + needed).toList();
    }

    private static List<String> cutCells(FxRobot robot, String table) {
        return robot.lookup(table + " .table-cell").queryAll().stream()
                .filter(n -> n instanceof javafx.scene.control.TableCell<?, ?> c && shown(c) && !c.isEmpty()
                        && c.getText() != null && c.isTextTruncated())
                .map(n -> ((javafx.scene.control.TableCell<?, ?>) n).getText()).toList();
    }

    /**
     * In the Finished chart Failed and Stuck read as two things at a glance, in both themes: their
     * lines' colours, as the scene resolves its style sheets, lie far apart (CIE76 ΔE at least 30;
     * the red and orange-red they once shared were 16 apart in the light theme, 23 in the dark), the
     * legend shows the same colours, and Stuck is dashed besides.
     */
    @Test
    void failedAndStuckSeriesAreFarApartInBothThemes(FxRobot robot) {
        inBothThemesOnMetrics(robot, theme -> {
            var failed = fx(() -> seriesLine("Failed"));
            var stuck = fx(() -> seriesLine("Stuck"));
            assertThat(deltaE76((javafx.scene.paint.Color) failed.getStroke(), (javafx.scene.paint.Color) stuck.getStroke()))
                    .as("Failed %s and Stuck %s apart in the %s theme", failed.getStroke(), stuck.getStroke(), theme)
                    .isGreaterThanOrEqualTo(30);
            assertThat(fx(() -> legendColour("Failed"))).as("Failed's legend, " + theme).isEqualTo(failed.getStroke());
            assertThat(fx(() -> legendColour("Stuck"))).as("Stuck's legend, " + theme).isEqualTo(stuck.getStroke());
            assertThat(stuck.getStrokeDashArray()).as("Stuck dashed, " + theme).isNotEmpty();
            assertThat(failed.getStrokeDashArray()).as("Failed solid, " + theme).isEmpty();
        });
    }

    /**
     * In the Active chart Running and Queued, the two areas that are nearly always both there, read
     * as two things in both themes: their outlines lie far apart (ΔE at least 30; the dark theme's
     * pale badge tints they once used were 13 apart).
     */
    @Test
    void runningAndQueuedAreasAreFarApartInBothThemes(FxRobot robot) {
        inBothThemesOnMetrics(robot, theme -> {
            var running = (javafx.scene.paint.Color) fx(() -> areaLine("Running").getStroke());
            var queued = (javafx.scene.paint.Color) fx(() -> areaLine("Queued").getStroke());
            assertThat(deltaE76(running, queued)).as("Running %s and Queued %s apart in the %s theme", running, queued, theme)
                    .isGreaterThanOrEqualTo(30);
        });
        assertThat(deltaE76(javafx.scene.paint.Color.web("#bfdbfe"), javafx.scene.paint.Color.web("#cbd5e1"))).as("old dark pair").isLessThan(30);
    }

    /** On the Metrics tab, {@code check} in the theme it starts in, then in the other one: both are seen. */
    private void inBothThemesOnMetrics(FxRobot robot, java.util.function.Consumer<String> check) {
        robot.clickOn("Metrics");
        eventually().until(() -> fx(() -> window.controller().metricsController != null));
        var seen = new java.util.HashSet<String>();
        for (int i = 0; i < 2; i++) {
            if (i == 1) WaitForAsyncUtils.asyncFx(() -> window.controller().onToggleTheme());
            var theme = fx(() -> window.controller().themeToggle.isSelected() ? "dark" : "light");
            seen.add(theme);
            check.accept(theme);
        }
        assertThat(seen).containsExactlyInAnyOrder("light", "dark");
    }

    /** The Active chart's outline for a series (a stacked area is a group: its fill and its line). */
    private javafx.scene.shape.Path areaLine(String name) {
        var chart = window.controller().metricsController.activeChart;
        chart.getScene().getRoot().applyCss();
        var group = (javafx.scene.Group) chart.getData().stream().filter(s -> s.getName().equals(name))
                .findFirst().orElseThrow().getNode();
        return (javafx.scene.shape.Path) group.getChildren().stream()
                .filter(n -> n.getStyleClass().contains("chart-series-area-line")).findFirst().orElseThrow();
    }

    /** The Finished chart's line for a series, styled by the scene's current style sheets. */
    private javafx.scene.shape.Path seriesLine(String name) {
        var chart = window.controller().metricsController.endedChart;
        chart.getScene().getRoot().applyCss();
        return (javafx.scene.shape.Path) chart.getData().stream().filter(s -> s.getName().equals(name))
                .findFirst().orElseThrow().getNode();
    }

    private javafx.scene.paint.Paint legendColour(String name) {
        var chart = window.controller().metricsController.endedChart;
        chart.getScene().getRoot().applyCss();
        var item = chart.lookupAll(".chart-legend-item").stream()
                .filter(n -> n instanceof Label l && l.getText().equals(name)).findFirst().orElseThrow();
        var symbol = (javafx.scene.layout.Region) ((Label) item).getGraphic();
        return symbol.getBackground().getFills().getFirst().getFill();
    }

    /** CIE76 colour difference: the distance of two sRGB colours in CIELAB (D65). */
    static double deltaE76(javafx.scene.paint.Color a, javafx.scene.paint.Color b) {
        double[] p = lab(a), q = lab(b);
        return Math.sqrt(Math.pow(p[0] - q[0], 2) + Math.pow(p[1] - q[1], 2) + Math.pow(p[2] - q[2], 2));
    }

    private static double[] lab(javafx.scene.paint.Color c) {
        double r = linear(c.getRed()), g = linear(c.getGreen()), b = linear(c.getBlue());
        double x = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
        double y = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
        double z = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
        return new double[] {116 * y - 16, 500 * (x - y), 200 * (y - z)};
    }

    private static double linear(double v) {
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    private static double labF(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }

    /** The threshold above would have caught the pairs the issue complained of (red and orange-red). */
    @Test
    void theColourDistanceFindsTheOldFailedAndStuckPairsTooClose() {
        assertThat(deltaE76(javafx.scene.paint.Color.web("#b91c1c"), javafx.scene.paint.Color.web("#c2410c"))).as("old light pair").isLessThan(30);
        assertThat(deltaE76(javafx.scene.paint.Color.web("#fecaca"), javafx.scene.paint.Color.web("#fed7aa"))).as("old dark pair").isLessThan(30);
        assertThat(deltaE76(javafx.scene.paint.Color.WHITE, javafx.scene.paint.Color.BLACK)).isCloseTo(100, org.assertj.core.data.Offset.offset(0.5));
    }

    @Test
    void finishedRunsAreListedInHistoryWithCancelLatency(FxRobot robot) throws Exception {
        var id = engine.submit("sleeper", null, Map.of()).runId();
        eventually().until(() -> status(id) == RunStatus.RUNNING);
        engine.cancel(id);
        assertThat(engine.awaitTerminal(id, Hang.IN_PROCESS)).isPresent();

        robot.clickOn("History");
        eventually().until(() -> fx(() -> window.controller().historyController.table.getItems().size() == 1));
        var cells = fx(() -> robot.lookup("#historyTable .table-row-cell").nth(0).query()
                .lookupAll(".table-cell").stream().map(n -> ((javafx.scene.control.Labeled) n).getText()).toList());
        assertThat(cells).contains("wait").anyMatch(t -> t != null && t.endsWith("ms"));
    }

    @Test
    void closingWithActiveRunsCancelsThemShutsTheEngineDownAndLeavesNoThread(FxRobot robot) throws Exception {
        for (int i = 0; i < 3; i++) engine.submit("sleeper", null, Map.of());
        eventually().until(() -> engine.stats().busy() == 3);

        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        clickWhenShown(robot, "Go back");
        assertThat(engine.isShutdown()).isFalse();
        assertThat(fx(stage::isShowing)).isTrue();

        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        clickWhenShown(robot, "Cancel all and exit");
        var report = window.exited().get(Hang.IN_PROCESS.toSeconds(), TimeUnit.SECONDS);

        // clean: the three runs stopped before the force deadline (how soon: the engine's shutdown bench)
        assertThat(report.clean()).isTrue();
        assertThat(report.cancelled()).isEqualTo(3);
        assertThat(engine.registry().all()).extracting(RunSnapshot::status).containsOnly(RunStatus.CANCELLED);
        assertThat(fx(stage::isShowing)).isFalse();
        eventually().until(() -> newEngineThreads().isEmpty());
    }

    @Test
    void aStubbornRunCannotHoldTheExitForceNowEndsItAtOnce(FxRobot robot) throws Exception {
        var id = engine.submit("deaf", null, Map.of()).runId(); // spins until the test ends, however slow the robot on a busy machine
        eventually().until(() -> "ignore-cancel".equals(engine.registry().get(id).orElseThrow().currentNode()));

        WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
        clickWhenShown(robot, "Cancel all and exit");
        eventually().until(() -> fx(() -> window.shutdownDialog() != null && window.shutdownDialog().isShowing()));
        assertThat(fx(() -> robot.lookup("#shutdownCountdown").queryAs(Label.class).getText())).matches("Forcing exit in \\d+ s");
        robot.clickOn("#forceNow");
        var report = window.exited().get(Hang.IN_PROCESS.toSeconds(), TimeUnit.SECONDS);

        assertThat(report.notStopped()).containsExactly(id);
        assertThat(engine.registry().get(id).orElseThrow().status())
                .as("a run that ignored the cancel is never shown as cancelled").isIn(RunStatus.CANCELLING, RunStatus.STUCK);
    }

    // ---------------------------------------------------------------- helpers

    private static <T> T fx(Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get(Hang.IN_PROCESS.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Dialogs open on a later pulse than the event that asks for them (seconds later on a loaded 2-core machine). */
    private static void clickWhenShown(FxRobot robot, String text) {
        eventually().until(() -> fx(() -> robot.lookup(text).tryQuery().isPresent()));
        robot.clickOn(text);
    }

    private RunStatus status(String id) {
        return engine.registry().get(id).orElseThrow().status();
    }

    private List<RunSnapshot> rowsOf(String graph) {
        return window.activeModel().rows().stream().map(RunRow::snapshot).filter(r -> r.graphId().equals(graph)).toList();
    }

    private List<String> shownGraphs() {
        return window.controller().activeController.table.getItems().stream().map(r -> r.snapshot().graphId()).sorted().toList();
    }

    private static List<Button> cancelButtons(FxRobot robot) {
        return robot.lookup(".row-cancel").queryAllAs(Button.class).stream().filter(Node::isVisible)
                .filter(b -> b.getParent() instanceof javafx.scene.control.TableCell<?, ?> c && c.getGraphic() == b && !c.isEmpty())
                .toList();
    }

    /** Headers whose text is cut, or that lie partly outside their table (a column pushed past its right edge). */
    private static List<String> cutHeaders(FxRobot robot) {
        var truncated = robot.lookup(".column-header .label").queryAllAs(Label.class).stream()
                .filter(l -> shown(l) && l.isTextTruncated()).map(Label::getText);
        var outside = robot.lookup(".column-header").queryAll().stream()
                .filter(n -> n instanceof javafx.scene.control.skin.TableColumnHeader h && shown(h)
                        && h.getTableColumn() instanceof javafx.scene.control.TableColumn<?, ?> c && c.getTableView() != null)
                .map(n -> (javafx.scene.control.skin.TableColumnHeader) n)
                .filter(h -> overflow(h, ((javafx.scene.control.TableColumn<?, ?>) h.getTableColumn()).getTableView()) > 0.5)
                .map(h -> h.getTableColumn().getText() + " (outside its table)");
        return java.util.stream.Stream.concat(truncated, outside).toList();
    }

    /** How far a header reaches past its table's right edge (inside the border). */
    private static double overflow(Node header, TableView<?> table) {
        double headerRight = header.localToScene(header.getLayoutBounds()).getMaxX();
        double tableRight = table.localToScene(table.getLayoutBounds()).getMaxX() - table.snappedRightInset();
        return headerRight - tableRight;
    }

    private static List<String> cutBadges(FxRobot robot) {
        return robot.lookup(".badge").queryAllAs(Label.class).stream()
                .filter(l -> shown(l) && l.getParent() instanceof javafx.scene.control.TableCell<?, ?> c && !c.isEmpty()
                        && c.getGraphic() == l && l.isTextTruncated())
                .map(Label::getText).toList();
    }

    /** On screen: the node and every parent visible (a tab not selected, a dismissed summary are not). */
    private static boolean shown(Node n) {
        for (var at = n; at != null; at = at.getParent()) {
            if (!at.isVisible()) return false;
        }
        return n.getScene() != null;
    }

    private static List<Button> killButtons(FxRobot robot) {
        return robot.lookup(".row-kill").queryAllAs(Button.class).stream().filter(Node::isVisible)
                .filter(b -> b.getParent() instanceof javafx.scene.control.TableCell<?, ?> c && c.getGraphic() == b && !c.isEmpty())
                .toList();
    }

    private static List<String> visibleBadges(FxRobot robot) {
        return robot.lookup("#activeTable .badge").queryAllAs(Label.class).stream()
                .filter(l -> l.getParent() instanceof javafx.scene.control.TableCell<?, ?> c && c.getGraphic() == l && !c.isEmpty())
                .map(Label::getText).toList();
    }

    private Set<Thread> newEngineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tether-") && t.isAlive() && !threadsBefore.contains(t))
                .collect(Collectors.toSet());
    }
}
