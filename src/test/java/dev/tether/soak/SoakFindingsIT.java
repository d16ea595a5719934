package dev.tether.soak;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.history.HistoryQuery;
import dev.tether.json.Json;
import dev.tether.redis.RedisSettings;
import dev.tether.redis.RedisView;
import dev.tether.redis.Routing;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the soak found, each pinned down in one deterministic scene against real processes, so a
 * fix can be checked without waiting for the random moment a soak meets it.
 */
@Tag("process")
class SoakFindingsIT {

    /** `tether status RUN` must know every run `tether list --all` shows, also one a previous serve ran. */
    @Test
    void statusFindsARunThatAnEarlierServeRanAsTheHistoryDoes() throws Exception {
        try (var home = SoakHome.create("finding-status").withStoreDisk()) {
            var host = new ServeHost(home, List.of("--concurrency", "2"));
            try (host) {
                host.start();
                String id;
                try (var c = host.client()) {
                    id = c.submit("welcome-email", null, Map.of()).runId();
                    assertThat(c.awaitTerminal(id, Hang.ACROSS_PROCESSES)).map(RunSnapshot::status).contains(RunStatus.COMPLETED);
                }
                host.restart();
                try (var c = host.client()) {
                    assertThat(c.history(HistoryQuery.newest(10)).runs()).extracting(RunSnapshot::runId).contains(id);
                    assertThat(c.get(id).status()).as("status of a run the history lists").isEqualTo(RunStatus.COMPLETED);
                }
            } finally {
                host.stop();
            }
        }
    }

    /**
     * A run whose id the API answered is accounted for, whenever serve is killed: after a restart the
     * history has it (LOST, as it never finished), not nothing at all.
     */
    @Test
    void aRunWhoseSubmitWasAnsweredOutlivesASigkillOfServe() throws Exception {
        try (var home = SoakHome.create("finding-sigkill").withStoreDisk()) {
            var host = new ServeHost(home, List.of("--concurrency", "2"));
            try (host) {
                host.start();
                var ids = new ArrayList<String>();
                try (var c = host.client()) {
                    for (int i = 0; i < 10; i++) ids.add(c.submit("book-workflow", null, Map.of("nodeMillis", "5000")).runId());
                }
                host.killAndRestart(true); // at once after the last answer
                try (var c = host.client()) {
                    var known = statusesInHistory(c);
                    assertThat(ids).as("runs the API had answered with an id, in the history after the restart")
                            .allSatisfy(id -> assertThat(known).containsEntry(id, RunStatus.LOST));
                }
            } finally {
                host.stop();
            }
        }
    }

    /**
     * A queued run whose cancel was answered "cancelled before it started" stays CANCELLED whenever
     * serve is killed, never LOST: the thread-mode soak found one SIGKILL within the history writer's
     * 20 ms after such an answer.
     */
    @Test
    void aRunWhoseCancelBeforeItsStartWasAnsweredStaysCancelledAfterASigkillOfServe() throws Exception {
        try (var home = SoakHome.create("finding-cancel-sigkill").withStoreDisk()) {
            var host = new ServeHost(home, List.of("--concurrency", "1"));
            try (host) {
                host.start();
                var ids = new ArrayList<String>();
                try (var c = host.client()) {
                    c.submit("book-workflow", null, Map.of("nodeMillis", "60000")); // holds the one slot
                    for (int i = 0; i < 10; i++) ids.add(c.submit("book-workflow", null, Map.of()).runId());
                    for (var id : ids) {
                        assertThat(c.cancel(id, dev.tether.run.CancelRequest.by(dev.tether.run.CancelOrigin.API)).outcome())
                                .isEqualTo(dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START);
                    }
                }
                host.killAndRestart(true); // at once after the last answer
                try (var c = host.client()) {
                    var known = statusesInHistory(c);
                    assertThat(ids).as("runs whose cancel before their start was answered, after the restart")
                            .allSatisfy(id -> assertThat(known).containsEntry(id, RunStatus.CANCELLED));
                }
            } finally {
                host.stop();
            }
        }
    }

    /** Each run of the newest history page (as many as one page holds) with its status. */
    private static Map<String, RunStatus> statusesInHistory(dev.tether.control.ControlClient c) {
        var known = new LinkedHashMap<String, RunStatus>();
        for (var r : c.history(HistoryQuery.newest(HistoryQuery.MAX_LIMIT)).runs()) known.put(r.runId(), r.status());
        return known;
    }

    /**
     * docs/redis-protocol.md: a run's checkpoints are deleted when it completes. A run that completes
     * while Redis is away (killed, back with its data a moment later) must not keep them for a day.
     */
    @Test
    void theCheckpointsOfARunThatCompletedWhileRedisWasAwayAreDeleted() throws Exception {
        try (var home = SoakHome.create("finding-checkpoints");
             var redis = SoakRedis.start(home.dir(), home.mark());
             var workers = new WorkerSet(home, redis.uri(), 1, 2).start();
             var view = RedisView.live(RedisSettings.parse(redis.uri()), catalog(), Routing.none())) {
            var log = home.nodeLog();
            var id = view.submit(SoakGraph.ID, null, Map.of("log", log.file.toString(), "nodeMillis", 800)).runId();
            await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(5))
                    .until(() -> log.byRun().getOrDefault(id, List.of()).stream().anyMatch(n -> n.node().equals("s5")));
            redis.kill9(); // the last node ends, and the run with it, while Redis is away
            Thread.sleep(2_500);
            redis.startAgain();
            try (var admin = redis.admin()) {
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> {
                    var json = admin.hget("tether:run:" + id, "j");
                    return json != null && Json.mapper().readValue(json, RunSnapshot.class).status() == RunStatus.COMPLETED;
                });
                await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(250))
                        .untilAsserted(() -> assertThat(admin.exists("tether:cp:" + id)).as("checkpoints of completed run " + id).isFalse());
            }
            workers.stop();
        }
    }

    private static GraphCatalog catalog() {
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new SoakGraph());
        return GraphCatalog.of(graphs);
    }
}
