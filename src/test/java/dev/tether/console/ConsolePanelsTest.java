package dev.tether.console;

import dev.tether.testing.Hang;

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
    /** The slow graph's build ends when the test says so. */
    private final java.util.concurrent.CountDownLatch buildMayEnd = new java.util.concurrent.CountDownLatch(1);
    private LocalEngine engine;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2),
                GraphCatalog.of(ConsoleGraphs.sleeper(), ConsoleGraphs.slowToBuild(buildMayEnd)), new RunRegistry());
        window = new ConsoleWindow(engine, ConsoleOptions.defaults().withShutdownTimeout(Duration.ofSeconds(5))
                .withGraphProblems(List.of("plugin broken.jar (demo.Gone): the class is not in the jar or cannot be loaded")));
        window.show(stage);
    }

    @AfterEach
    void stop() throws Exception {
        buildMayEnd.countDown();
        WaitForAsyncUtils.asyncFx(() -> window.pump().stop()).get(5, TimeUnit.SECONDS);
        if (!engine.isShutdown()) engine.shutdown(Duration.ofSeconds(2));
    }

    /**
     * The build is held until the test lets it end: meanwhile the FX thread keeps answering and the
     * dialog stays closed; once it ends, the dialog opens. No timing claims: a loaded machine only
     * makes it slower.
     */
    @Test
    void aSlowGraphBuildNeverBlocksTheFxThreadAndSubmitOpensWhenItIsDone(FxRobot robot) throws Exception {
        robot.clickOn("#submitButton");
        for (int i = 0; i < 20; i++) {
            assertThat(fx(() -> robot.lookup("#graphChoice").tryQuery().isPresent()))
                    .as("the FX thread answers while the graph is being built, and the dialog waits for it").isFalse();
            Thread.sleep(25);
        }
        buildMayEnd.countDown();
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> robot.lookup("#graphChoice").tryQuery().isPresent()));
        robot.type(javafx.scene.input.KeyCode.ESCAPE);
    }

    @Test
    void skippedPluginsAreNotifiedOnce() {
        assertThat(fx(() -> window.notifier().shown())).containsOnlyOnce("A plugin was skipped");
    }

    @Test
    void aCancelThatFindsTheRunFinishedSaysSo() throws Exception {
        var id = engine.submit("sleeper", null, Map.of("millis", 1L)).runId();
        assertThat(engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);

        WaitForAsyncUtils.asyncFx(() -> window.controller().cancel(List.of(id), dev.tether.run.StopLevel.CANCEL));

        var shortId = id.substring(id.length() - 8);
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> window.notifier().shown()).contains("Run " + shortId + " had already finished"));
        assertThat(engine.registry().get(id).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void theStatusBarCountsRunsByStatus(FxRobot robot) {
        engine.submit("sleeper", null, Map.of());
        engine.submit("sleeper", null, Map.of());
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> robot.lookup("#count-running").queryAs(Label.class).getText())
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
