package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunIds;
import dev.tether.run.RunStateMachine;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A live view's first load of the runs in Redis: subscribed first, so nothing published meanwhile is
 * missed, and each run read once. {@code serve} waits for it and fails at once with the reason when it
 * cannot succeed; the console's view loads once its window is shown and says it is loading until done.
 */
class RedisFirstLoadTest {
    private RealRedis server;
    private final List<AutoCloseable> views = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        try (var admin = server.admin()) {
            RedisSetup.run(admin, Keys.standard(), null);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (var v : views) v.close();
        server.close();
    }

    private List<String> park(int n) {
        var ids = new ArrayList<String>();
        try (var admin = server.admin()) {
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            for (int i = 0; i < n; i++) { // on a queue no worker takes
                var request = new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", "parked", Map.of(),
                        Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
                var queued = RunStateMachine.apply(null, request.submitted());
                store.submit(queued, Keys.standard().queue("parked"), Jobs.fields(request));
                ids.add(queued.runId());
            }
        }
        return ids;
    }

    private RedisView view(String uri, boolean awaitRuns) {
        var settings = RedisSettings.parse(uri);
        var v = awaitRuns ? RedisView.live(settings, GraphCatalog.load(null), Routing.none(), null)
                : RedisView.liveLoading(settings, GraphCatalog.load(null), Routing.none(), null);
        views.add(v);
        return v;
    }

    private static long hgets(redis.clients.jedis.RedisClient admin) {
        return admin.info("commandstats").lines().filter(l -> l.startsWith("cmdstat_hget:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("^cmdstat_hget:calls=(\\d+),.*", "$1"))).sum();
    }

    @Test
    void aViewThatWaitsHasEveryRunWhenItReturnsAndReadEachOnce() throws Exception {
        var parked = park(3 * RunStore.LOAD_BATCH + 17);
        try (var admin = server.admin()) {
            admin.sendCommand(redis.clients.jedis.Protocol.Command.CONFIG, "RESETSTAT");
            var v = view(server.uri(), true);
            assertThat(v.loading()).isFalse();
            assertThat(v.activeRuns()).hasSize(parked.size());
            Thread.sleep(1_000); // no second load behind it (the subscription's catch-up was the load)
            assertThat(hgets(admin)).as("records read").isEqualTo(parked.size());
        }
    }

    @Test
    void aViewThatWaitsSaysAtOnceWhyItsRunsCannotBeLoaded() throws Exception {
        park(3);
        try (var admin = server.admin()) {
            admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "SETUSER", "noread", "on", ">noread-pw", "~*", "&*", "+@all", "-hget");
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> view("redis://noread:noread-pw@127.0.0.1:" + server.port, true))
                .hasMessageContaining("NOPERM");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a refusal is not waited out").isLessThan(RedisSettings.POOL_WAIT);
    }

    @Test
    void theConsolesViewReturnsBeforeItsRunsAreLoadedSaysSoAndLoadsThemOnceItCan() throws Exception {
        var parked = park(500);
        try (var admin = server.admin()) {
            admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "SETUSER", "noread", "on", ">noread-pw", "~*", "&*", "+@all", "-hget");
            var v = view("redis://noread:noread-pw@127.0.0.1:" + server.port, false);
            Thread.sleep(300);
            assertThat(v.loading()).isTrue();
            assertThat(v.activeRuns()).as("nothing loaded before it is asked to").isEmpty();
            v.startLoading();
            Thread.sleep(300);
            assertThat(v.loading()).as("its user may not read the runs yet").isTrue();
            assertThat(v.connected()).isFalse();
            assertThat(v.activeRuns()).isEmpty();

            admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "SETUSER", "noread", "+hget");
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> !v.loading() && v.connected());
            assertThat(v.activeRuns()).hasSize(parked.size());
            var late = v.submit("welcome-email", "parked", Map.of()).runId();
            assertThat(v.run(late)).isPresent();
        }
    }
}
