package dev.tether.console;

import dev.tether.engine.WorkerInfo;
import javafx.fxml.FXMLLoader;
import javafx.scene.Scene;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Workers tab, in its real FXML and stylesheets: a worker that says it cannot make progress stands out
 * in the failed colour, and each problem can be read whole in its cell's tooltip, which the list's refresh
 * every second must not replace.
 */
@ExtendWith(ApplicationExtension.class)
class WorkersTabTest {
    private static final List<String> PROBLEMS = List.of(
            "maintenance step 'checking cancel records' failing for 12.5 s (JedisAccessControlException: NOPERM this user has no "
                    + "permissions to run the 'mget' command or its subcommand)",
            "its writes refused by Redis (out of memory: its maxmemory was reached) for 3 s");

    private WorkersModel model;
    private TableView<WorkerInfo> table;
    private long now;

    private static WorkerInfo worker(String name, List<String> problems) {
        return new WorkerInfo(name, "host", 42, List.of("default"), 4, 0, 0, Instant.EPOCH, Instant.now(), null, problems);
    }

    @Start
    void start(Stage stage) throws Exception {
        model = new WorkersModel(() -> CompletableFuture.completedFuture(List.of(worker("mender-1", PROBLEMS), worker("steady-1", List.of()))));
        var loader = new FXMLLoader(WorkersController.class.getResource("Workers.fxml"));
        table = loader.load();
        WorkersController controller = loader.getController();
        controller.init(model);
        var scene = new Scene(table, 1100, 300);
        Theme.LIGHT.applyTo(scene);
        stage.setScene(scene);
        stage.show();
    }

    /** One refresh of the list, a second after the last, as the console's pulse asks. */
    private void refresh() throws Exception {
        now += 2_000_000_000L;
        long at = now;
        WaitForAsyncUtils.asyncFx(() -> model.refresh(at)).get(5, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private TableCell<?, ?> stateCell(FxRobot robot, String startsWith) throws Exception {
        return fx(() -> robot.lookup(".table-cell").queryAllAs(TableCell.class).stream()
                .filter(c -> c.getText() != null && c.getText().startsWith(startsWith) && shown(c)).findFirst().orElseThrow());
    }

    /** A cell on the screen: the table also keeps hidden cells to measure rows with. */
    private static boolean shown(javafx.scene.Node node) {
        for (var n = node; n != null; n = n.getParent()) if (!n.isVisible()) return false;
        return true;
    }

    @Test
    void aStalledWorkerIsInTheFailedColourAndKeepsOneTooltipWithEachProblemWholeAcrossRefreshes(FxRobot robot) throws Exception {
        refresh();
        var stalled = stateCell(robot, "stalled: ");
        var ok = stateCell(robot, "ok");
        assertThat(fx(() -> stalled.getTextFill())).as("stands out from an 'ok' worker").isNotEqualTo(fx(() -> ok.getTextFill()));
        var tooltip = fx(stalled::getTooltip);
        assertThat(tooltip).isNotNull();
        assertThat(fx(tooltip::getText)).isEqualTo(String.join("\n", PROBLEMS));
        assertThat(fx(ok::getTooltip)).isNull();

        for (int i = 0; i < 3; i++) refresh();
        var after = stateCell(robot, "stalled: ");
        assertThat(after).as("the same cell").isSameAs(stalled);
        assertThat(fx(after::getTooltip)).as("the same tooltip, its delay not restarted by each refresh").isSameAs(tooltip);
        assertThat(fx(() -> after.getTextFill())).isEqualTo(fx(() -> stalled.getTextFill()));
    }

    private static <T> T fx(Callable<T> call) throws Exception {
        return WaitForAsyncUtils.asyncFx(call).get(5, TimeUnit.SECONDS);
    }
}
