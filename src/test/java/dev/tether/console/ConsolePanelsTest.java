package dev.tether.console;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import javafx.scene.control.Label;
import javafx.stage.Stage;
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
import static org.awaitility.Awaitility.await;

/** The console's panels over a real engine (headless): a slow plugin, skipped plugins, a late cancel, the status bar. */
@ExtendWith(ApplicationExtension.class)
class ConsolePanelsTest {
    static final long BUILD_MILLIS = 3_000;
    private LocalEngine engine;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2),
                GraphCatalog.of(ConsoleGraphs.sleeper(), ConsoleGraphs.slowToBuild(BUILD_MILLIS)), new RunRegistry());
        window = new ConsoleWindow(engine, ConsoleOptions.defaults().withShutdownTimeout(Duration.ofSeconds(5))
                .withGraphProblems(List.of("plugin broken.jar (demo.Gone): the class is not in the jar or cannot be loaded")));
        window.show(stage);
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.pump().stop()).get(5, TimeUnit.SECONDS);
        if (!engine.isShutdown()) engine.shutdown(Duration.ofSeconds(2));
    }

    @Test
    void aSlowGraphBuildNeverBlocksTheFxThreadAndSubmitOpensWhenItIsDone(FxRobot robot) {
        long start = System.nanoTime();
        robot.clickOn("#submitButton");
        long worst = 0;
        while (!fx(() -> robot.lookup("#graphChoice").tryQuery().isPresent())) {
            long t = System.nanoTime();
            fx(() -> true); // one hop onto the FX thread and back
            worst = Math.max(worst, System.nanoTime() - t);
            assertThat((System.nanoTime() - start) / 1e9).as("the dialog opens once the graphs are described").isLessThan(15);
        }
        assertThat(worst / 1e6).as("the FX thread answered while the graph was being built").isLessThan(500);
        assertThat((System.nanoTime() - start) / 1e6).as("it did wait for the build").isGreaterThan(BUILD_MILLIS / 2.0);
        robot.type(javafx.scene.input.KeyCode.ESCAPE);
    }

    @Test
    void skippedPluginsAreNotifiedOnce() {
        assertThat(fx(() -> window.notifier().shown())).containsOnlyOnce("A plugin was skipped");
    }

    @Test
    void aCancelThatFindsTheRunFinishedSaysSo() throws Exception {
        var id = engine.submit("sleeper", null, Map.of("millis", 1L)).runId();
        assertThat(engine.awaitTerminal(id, Duration.ofSeconds(10)).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);

        WaitForAsyncUtils.asyncFx(() -> window.controller().cancel(List.of(id), dev.tether.run.StopLevel.CANCEL));

        var shortId = id.substring(id.length() - 8);
        await().atMost(3, TimeUnit.SECONDS).until(() -> fx(() -> window.notifier().shown()).contains("Run " + shortId + " had already finished"));
        assertThat(engine.registry().get(id).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void theStatusBarCountsRunsByStatus(FxRobot robot) {
        engine.submit("sleeper", null, Map.of());
        engine.submit("sleeper", null, Map.of());
        await().atMost(3, TimeUnit.SECONDS).until(() -> fx(() -> robot.lookup("#count-running").queryAs(Label.class).getText())
                .equals("Running 2"));
        assertThat(fx(() -> robot.lookup("#executorUse").queryAs(Label.class).getText())).isEqualTo("Executor 2/2 busy");
        assertThat(fx(() -> robot.lookup("#count-failed").queryAs(Label.class).getOpacity())).isLessThan(1.0);
    }

    private static <T> T fx(Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
