package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The console on Redis (real redis-server, real worker process): every worker's runs, the connection state, and a close that leaves runs alone. */
@org.junit.jupiter.api.Tag("process")
@ExtendWith(ApplicationExtension.class)
class RedisConsoleTest {
    static RealRedis server;
    static WorkerProcess worker;
    RedisView client;
    ConsoleOnRedis console;

    @BeforeAll
    static void startRedisAndWorker() throws Exception {
        server = RealRedis.start();
        worker = WorkerProcess.start(server.uri(), "desk-worker", "desk", 2);
    }

    @AfterAll
    static void stopAll() throws Exception {
        worker.close();
        server.close();
    }

    @Start
    void start(Stage stage) {
        client = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
        console = ConsoleOnRedis.show(client, stage);
    }

    @AfterEach
    void closeWindow() throws Exception {
        console.close();
    }

    private String badge(FxRobot robot) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup(".mode-badge").queryAs(Label.class).getText()).get();
    }

    @Test
    void showsTheWorkersRunsAndClosingLeavesThemRunning(FxRobot robot) throws Exception {
        var id = client.submit("book-workflow", "desk", Map.of("nodeMillis", 60_000)).runId();
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> WaitForAsyncUtils.asyncFx(() ->
                robot.lookup("#activeTable .table-cell").queryAllAs(javafx.scene.control.Labeled.class).stream()
                        .anyMatch(c -> "desk-worker".equals(c.getText()))).get());
        assertThat(badge(robot)).isEqualTo(server.uri());

        console.closeWindow(); // no "cancel all?" question: the runs are not ours to stop

        assertThat(client.isShutdown()).isTrue();
        try (var other = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            assertThat(other.registry().get(id).map(RunSnapshot::status)).contains(RunStatus.RUNNING);
            other.cancel(id);
        }
    }

    @Test
    void theWorkersTabShowsWhatKeepsAWorkerFromMakingProgress(FxRobot robot) throws Exception {
        var k = Keys.standard();
        try (var admin = server.admin()) { // a worker's heartbeat saying it is stuck, as worker processes write it
            var stalled = new dev.tether.engine.WorkerInfo("wedged", "elsewhere", 4242, java.util.List.of("desk"), 2, 1, 0,
                    java.time.Instant.now(), java.time.Instant.now(), java.util.List.of("book-workflow"),
                    java.util.List.of("catching up with Redis failing for 7.0 s (NOPERM)"));
            admin.set(k.worker("wedged"), dev.tether.json.Json.write(stalled), redis.clients.jedis.params.SetParams.setParams().px(60_000));
            admin.sadd(k.workers(), "wedged");
        }
        try {
            robot.clickOn("Workers");
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> WaitForAsyncUtils.asyncFx(() ->
                    robot.lookup("#workersTable .table-cell").queryAllAs(javafx.scene.control.Labeled.class).stream()
                            .anyMatch(c -> "stalled: catching up with Redis failing for 7.0 s (NOPERM)".equals(c.getText())
                                    && c.getStyleClass().contains("worker-stalled"))).get());
            // the healthy worker's row comes from its own heartbeat, read in the same pass or the next: on a machine
            // starved for seconds its heartbeat may have lapsed meanwhile, and it is listed again once it beats
            await("the healthy worker's state").atMost(Hang.ACROSS_PROCESSES).until(() -> WaitForAsyncUtils.asyncFx(() ->
                    robot.lookup("#workersTable .table-cell").queryAllAs(javafx.scene.control.Labeled.class).stream()
                            .anyMatch(c -> "ok".equals(c.getText()) && !c.getStyleClass().contains("worker-stalled"))).get());
        } finally {
            try (var admin = server.admin()) {
                admin.del(k.worker("wedged"));
                admin.srem(k.workers(), "wedged");
            }
        }
    }

    @Test
    void aLostRedisShowsAsDisconnectedUntilItIsBack(FxRobot robot) throws Exception {
        server.stop();
        try {
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> badge(robot).endsWith("— disconnected"));
        } finally {
            server.restart();
        }
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> badge(robot).equals(server.uri()));
    }
}
