package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.RunRequest;
import dev.tether.run.RunIds;
import dev.tether.run.RunStateMachine;
import dev.tether.testing.Hang;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console over Redis while its runs load (real redis-server, real scene graph): the empty table
 * says they are loading rather than that there are none, the badge says so where it can be seen, and
 * once loaded the table shows the runs first in line, up to its cap, and the status bar counts the rest.
 */
@ExtendWith(ApplicationExtension.class)
class RedisConsoleLoadingTest {
    static final String PREFIX = "console-loading-test";
    static final int PARKED = 40;
    static final int SHOWN = 30;
    static RealRedis server;
    RedisView view;
    ConsoleOnRedis console;

    @BeforeAll
    static void startRedisAndParkRuns() throws Exception {
        server = RealRedis.start();
        try (var admin = server.admin()) {
            var keys = RedisSettings.parse(address()).keys();
            var store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
            for (int i = 0; i < PARKED; i++) { // on a queue no worker takes
                var request = new RunRequest(RunIds.next(), "welcome-email", "parked", Map.of(),
                        Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
                store.submit(RunStateMachine.apply(null, request.submitted()), keys.queue("parked"), Jobs.fields(request));
            }
        }
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    /** An address longer than the badge's room: a prefix. */
    static String address() {
        return server.uri() + "?prefix=" + PREFIX;
    }

    @Start
    void start(Stage stage) {
        view = RedisView.liveLoading(RedisSettings.parse(address()), GraphCatalog.load(null), Routing.none(), null, SHOWN);
        console = ConsoleOnRedis.show(view, stage);
    }

    @AfterEach
    void closeWindow() throws Exception {
        console.close();
    }

    private static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get();
    }

    @Test
    void untilItsRunsAreLoadedTheTableSaysSoAndTheBadgeShowsItThenTheFirstInLineAreShownAndTheRestCounted(FxRobot robot) throws Exception {
        var table = fx(() -> robot.lookup("#activeTable").queryAs(TableView.class));
        var empty = fx(() -> (Label) table.getPlaceholder());
        var badge = fx(() -> robot.lookup(".mode-badge").queryAs(Label.class));
        var display = RedisSettings.parse(address()).display();

        await().atMost(Hang.IN_PROCESS).until(() -> fx(empty::getText).equals("Loading runs from " + display + "…"));
        assertThat(fx(badge::getText)).as("cut after the address's host and port, the state kept whole")
                .startsWith(server.uri()).endsWith("… — loading runs");
        assertThat(fx(() -> badge.getTooltip().getText())).isEqualTo(display);
        assertThat(fx(() -> badge.getPseudoClassStates().stream().map(Object::toString).toList())).contains("loading");
        // its new text is laid out at the next pulse, which may come after this thread looks
        await("the badge, whole, beside the tabs").atMost(Hang.IN_PROCESS).until(() -> fx(() -> shownWholeBesideTheTabs(badge)));
        assertThat(fx(() -> robot.lookup(".tool-bar-overflow-button").query().isVisible())).as("nothing in the toolbar's overflow").isFalse();
        assertThat(fx(() -> table.getItems().size())).isZero();

        view.startLoading();
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> fx(() -> table.getItems().size()) == SHOWN);
        var bar = fx(() -> robot.lookup(".status-bar").queryAs(org.controlsfx.control.StatusBar.class));
        await().atMost(Hang.IN_PROCESS).until(() -> fx(bar::getText).endsWith(" · " + (PARKED - SHOWN) + " more queued in Redis, not shown"));
        await().atMost(Hang.IN_PROCESS).until(() -> !fx(badge::getText).contains("loading"));
        assertThat(fx(badge::getText)).startsWith(server.uri()).endsWith("…");
        assertThat(fx(() -> badge.getPseudoClassStates().stream().map(Object::toString).toList())).doesNotContain("loading", "disconnected");

        robot.clickOn("#filterField").write("no-such-run");
        await().atMost(Hang.IN_PROCESS).until(() -> fx(() -> table.getItems().isEmpty()));
        assertThat(fx(empty::getText)).isEqualTo("No run shown matches the filter; " + (PARKED - SHOWN)
                + " more queued in Redis were not searched (tether list --status QUEUED pages through them).");
    }

    /** Laid out at its preferred width, within the window, covering no tab header. */
    private static boolean shownWholeBesideTheTabs(Label badge) {
        var bounds = badge.localToScene(badge.getLayoutBounds());
        var headers = badge.getScene().lookup(".headers-region");
        var tabs = headers.localToScene(headers.getLayoutBounds());
        return badge.isVisible() && badge.getWidth() >= badge.prefWidth(-1) - 0.5
                && bounds.getMinX() >= tabs.getMaxX() && bounds.getMaxX() <= badge.getScene().getWidth();
    }
}
