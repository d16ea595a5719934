package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many runs, two worker processes, cancels at random moments (before pick-up, at start, mid-run,
 * after the end): every run ends exactly once, as the registry and Redis agree; a run cancelled
 * before it started never started; nothing stays pending or active.
 */
@org.junit.jupiter.api.Tag("process")
class RedisRaceTest {

    @Test
    void randomCancelsAgainstTwoWorkersKeepEveryInvariant() throws Exception {
        var seed = Long.getLong("race.seed", System.nanoTime());
        var random = new Random(seed);
        try (var server = RealRedis.start();
             var w1 = WorkerProcess.start(server.uri(), "race-1", "race", 3);
             var w2 = WorkerProcess.start(server.uri(), "race-2", "race", 3);
             var client = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            var ids = new ArrayList<String>();
            var outcomes = new HashMap<String, CancelOutcome>();
            for (int i = 0; i < 300; i++) {
                // short and long runs mixed, so cancels land queued, starting, mid-node and after the end
                var input = random.nextInt(3) == 0 ? Map.<String, Object>of("nodeMillis", 400, "jitter", 0)
                        : Map.<String, Object>of("nodeMillis", random.nextInt(20), "jitter", 0);
                ids.add(client.submit(random.nextBoolean() ? "welcome-email" : "book-workflow", "race", input).runId());
                if (random.nextInt(4) == 0) {
                    var victim = ids.get(random.nextInt(ids.size()));
                    outcomes.putIfAbsent(victim, client.cancel(victim));
                }
                if (random.nextInt(10) == 0) Thread.sleep(random.nextInt(15));
            }
            for (int i = 0; i < 40; i++) { // late cancels, some of finished runs
                var victim = ids.get(random.nextInt(ids.size()));
                outcomes.putIfAbsent(victim, client.cancel(victim));
                Thread.sleep(random.nextInt(10));
            }

            await().atMost(Hang.ACROSS_PROCESSES).until(() -> ids.stream().allMatch(id ->
                    client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));

            var store = new RunStore(raw(server), Keys.standard(), java.time.Duration.ofDays(1), 10_000);
            for (var id : ids) {
                var seen = client.registry().get(id).orElseThrow();
                var stored = store.get(id).orElseThrow();
                assertThat(stored.status()).as("registry and Redis agree on " + id + " (seed " + seed + ")").isEqualTo(seen.status());
                assertThat(seen.status()).as(id).isIn(RunStatus.COMPLETED, RunStatus.CANCELLED);
                var outcome = outcomes.get(id);
                if (outcome == CancelOutcome.CANCELLED_BEFORE_START) {
                    assertThat(seen.status()).as(id + " cancelled before start").isEqualTo(RunStatus.CANCELLED);
                    assertThat(seen.startedAt()).as(id + " never started (seed " + seed + ")").isNull();
                }
                if (outcome == null) assertThat(seen.status()).as(id + " was never cancelled").isEqualTo(RunStatus.COMPLETED);
                if (outcome == CancelOutcome.ALREADY_FINISHED) assertThat(seen.status()).isEqualTo(RunStatus.COMPLETED);
            }
            try (var r = raw(server)) {
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> r.xpending(Keys.standard().queue("race"), Keys.GROUP).getTotal() == 0);
                assertThat(r.scard(Keys.standard().active())).isZero();
                assertThat(r.scard(Keys.standard().workerRuns("race-1")) + r.scard(Keys.standard().workerRuns("race-2"))).isZero();
            }
            assertThat(List.of(w1.process.isAlive(), w2.process.isAlive())).containsOnly(true);
        }
    }

    private static RedisClient raw(RealRedis server) {
        return RedisClient.create("127.0.0.1", server.port);
    }
}
