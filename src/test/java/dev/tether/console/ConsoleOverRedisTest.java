package dev.tether.console;

import dev.tether.catalog.GraphCatalog;
import dev.tether.redis.RealRedis;
import dev.tether.redis.RedisSettings;
import dev.tether.redis.RedisView;
import dev.tether.redis.Routing;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README ("Redis's memory"): a console opening on a Redis that would evict keys once full says so in a
 * notification, not only in its log. A real server, a real view, a real window (headless).
 */
@ExtendWith(ApplicationExtension.class)
class ConsoleOverRedisTest {
    private RealRedis server;
    private RedisView view;
    private ConsoleWindow window;

    @Start
    void start(Stage stage) throws Exception {
        server = RealRedis.start();
        try (var admin = server.admin()) {
            admin.configSet("maxmemory", "67108864");
            admin.configSet("maxmemory-policy", "volatile-lru");
        }
        view = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
        window = new ConsoleWindow(view, ConsoleOptions.defaults().withShutdownTimeout(Duration.ofSeconds(5)));
        window.show(stage);
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.pump().stop()).get(5, TimeUnit.SECONDS);
        view.close();
        server.close();
    }

    @Test
    void aServerThatWouldEvictKeysIsNotifiedAsTheWindowOpens() throws Exception {
        var shown = WaitForAsyncUtils.asyncFx(() -> window.notifier().shown()).get(5, TimeUnit.SECONDS);
        assertThat(shown).containsOnlyOnce("Check " + server.uri());
        assertThat(view.warnings()).singleElement().asString().contains("maxmemory-policy volatile-lru", "64 MiB", "noeviction");
    }
}
