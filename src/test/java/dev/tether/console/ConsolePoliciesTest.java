package dev.tether.console;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tether.testing.Hang.eventually;

/**
 * Run policies in the console, as an operator meets them (real scene graph, real engine, robot
 * clicks): a limit typed in the Submit dialog, a deadline counting down on its row, the details pane
 * saying the policy in force and the limit that stopped the run, and the Policies tab listing each
 * graph's policies with where each value was set.
 */
@ExtendWith(ApplicationExtension.class)
class ConsolePoliciesTest {
    private LocalEngine engine;
    private ConsoleWindow window;

    /** The console tests' sleeper, with a policy of its own in its definition. */
    static GraphDefinition limitedSleeper() {
        var sleeper = ConsoleGraphs.sleeper();
        return new GraphDefinition() {
            @Override public String id() { return "limited"; }
            @Override public String title() { return "Limited"; }
            @Override public String description() { return "A sleeper whose definition sets a policy"; }
            @Override public String defaultQueue() { return "ops"; }
            @Override public Map<String, Object> defaultInput() { return sleeper.defaultInput(); }
            @Override public RunPolicy policy() { return RunPolicy.of(Map.of("max-runtime", "1h", "max-concurrent", "2")); }

            @Override
            public StateGraph<? extends AgentState> build() throws GraphStateException {
                return sleeper.build();
            }
        };
    }

    @Start
    void start(Stage stage) {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(4).withCancelGrace(Duration.ofMillis(500)),
                GraphCatalog.of(ConsoleGraphs.sleeper(), limitedSleeper()), new RunRegistry());
        window = new ConsoleWindow(engine, ConsoleOptions.defaults().withShutdownTimeout(Duration.ofSeconds(5)).withLinger(Duration.ofSeconds(30)));
        window.show(stage);
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.pump().stop()).get(5, TimeUnit.SECONDS);
        if (!engine.isShutdown()) engine.shutdown(Duration.ofSeconds(2));
    }

    /** A run its deadline stopped: the details pane says who stopped it, the limit broken and the policy in force. */
    @Test
    void theDetailsPaneOfARunItsDeadlineStoppedSaysWhichLimitAndThePolicyInForce(FxRobot robot) throws Exception {
        var id = engine.submit("limited", null, Map.of(), RunPolicy.of("max-runtime", "1s")).runId();
        var end = engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.DEADLINE);
        eventually().until(() -> fx(() -> robot.lookup("#activeTable .badge").queryAll().size()) == 1);
        // selected as a click would, through the table: a looked-up cell may be rebuilt before the robot reaches it
        fx(() -> {
            window.controller().activeController.table.getSelectionModel().select(0);
            return null;
        });
        eventually().until(() -> fx(() -> detailTexts(robot)).contains("Limit broken"));
        var texts = fx(() -> detailTexts(robot));
        assertThat(texts.get(texts.indexOf("Asked by") + 1)).isEqualTo("policy: max-runtime");
        assertThat(texts.get(texts.indexOf("Limit broken") + 1)).isEqualTo("max-runtime 1s");
        assertThat(texts.get(texts.indexOf("Policy") + 1)).contains("max-runtime 1s  (run)", "max-concurrent 2  (graph definition)");
    }

    /** A deadline far enough away that no load reaches it: the row counts down from it. */
    @Test
    void aLimitTypedInTheSubmitDialogBecomesTheRunsOwnAndItsDeadlineCountsDownOnTheRow(FxRobot robot) {
        robot.clickOn("#submitButton");
        ComboBox<?> graphs = robot.lookup("#graphChoice").queryAs(ComboBox.class);
        robot.clickOn(graphs).clickOn("Limited  (limited)");
        var maxRuntime = robot.lookup("#maxruntimeField").queryAs(TextField.class);
        assertThat(fx(maxRuntime::getPromptText)).as("the graph's own value, kept when the field is empty").isEqualTo("1h");
        robot.clickOn(maxRuntime).write("10m");
        robot.clickOn("#maxstepsField").write("many");
        assertThat(fx(() -> robot.lookup("#dialogSubmit").query().isDisabled())).isTrue();
        assertThat(fx(() -> robot.lookup("#submitProblem").queryAs(Label.class).getText())).isEqualTo("Max-steps: 'many' is not a whole number.");
        robot.doubleClickOn("#maxstepsField").eraseText(4);
        robot.clickOn("#dialogSubmit");

        eventually().until(() -> engine.registry().active().stream().anyMatch(r -> r.status() == RunStatus.RUNNING));
        var run = engine.registry().active().getFirst();
        assertThat(run.policy().maxRuntime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(run.policy().sources()).containsEntry("max-runtime", "run").containsEntry("max-concurrent", "graph definition");
        eventually().until(() -> fx(() -> deadlineTexts(robot)).stream().anyMatch(t -> t.matches("0:(09|10):\\d\\d")));
    }

    @Test
    void thePoliciesTabListsEachGraphsPoliciesAndWhereEachWasSet(FxRobot robot) {
        robot.clickOn("Policies");
        var table = window.controller().policiesController.table;
        eventually().until(() -> fx(() -> table.getItems().size()) == 2);
        assertThat(fx(() -> List.copyOf(table.getItems()))).containsExactly(
                new PoliciesController.Line("limited", "max-runtime", "1h", "graph definition"),
                new PoliciesController.Line("limited", "max-concurrent", "2", "graph definition"));
    }

    /**
     * The Deadline column takes room from the others only once a run has a limit to count down, and
     * the row's Cancel button is never cut, with the column or without it, at the default size.
     */
    @Test
    void theDeadlineColumnShowsOnceARunHasALimitAndNeverCutsTheCancelButton(FxRobot robot) {
        var table = window.controller().activeController.table;
        var deadline = window.controller().activeController.deadlineColumn;
        for (int i = 0; i < 3; i++) engine.submit("sleeper", null, Map.of());
        eventually().until(() -> fx(() -> cancelButtons(robot).size()) == 3);
        assertThat(fx(deadline::isVisible)).as("no run has a limit").isFalse();
        assertThat(fx(() -> cancelButtons(robot))).allSatisfy(b -> assertThat(b.isTextTruncated()).as("Cancel cut").isFalse());

        engine.submit("limited", null, Map.of()); // max-runtime 1h from its definition
        eventually().until(() -> fx(deadline::isVisible) && fx(() -> cancelButtons(robot).size()) == 4);
        eventually().until(() -> fx(() -> table.getWidth() > 0 && cancelButtons(robot).stream().noneMatch(javafx.scene.control.Labeled::isTextTruncated)));
    }

    private static List<javafx.scene.control.Button> cancelButtons(FxRobot robot) {
        return robot.lookup("#activeTable .row-cancel").queryAllAs(javafx.scene.control.Button.class).stream()
                .filter(javafx.scene.Node::isVisible).toList();
    }

    private static List<String> deadlineTexts(FxRobot robot) {
        return robot.lookup("#activeTable .table-cell").queryAll().stream()
                .filter(n -> n instanceof TableCell<?, ?> c && !c.isEmpty() && c.getTableColumn() != null
                        && "Deadline".equals(c.getTableColumn().getText()) && c.getText() != null)
                .map(n -> ((TableCell<?, ?>) n).getText()).toList();
    }

    private static List<String> detailTexts(FxRobot robot) {
        return robot.lookup(".details-fields .label").queryAllAs(Label.class).stream().map(Label::getText).toList();
    }

    private static <T> T fx(Callable<T> c) {
        try {
            return WaitForAsyncUtils.asyncFx(c).get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
