package dev.tether.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README (roles): a maintenance step Redis refuses costs that step only. It is named with the refusal (in a
 * worker's heartbeat and log; once a minute in a view's log), and the rest of the pass goes on.
 */
@org.junit.jupiter.api.Tag("process")
class MaintenanceStepsTest {

    private static GraphCatalog graphs() {
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        return GraphCatalog.of(graphs);
    }

    /**
     * A user without {@code MGET} (a role edited by hand, say): every pass, the cancel-record check of the
     * run held below is refused. The worker says so, and the steps after it in the same pass still run:
     * the due retry is moved back to its queue and completes.
     */
    @Test
    void aMaintenanceStepRedisRefusesIsReportedAndTheStepsAfterItInTheSamePassStillRun() throws Exception {
        try (var server = RealRedis.start()) {
            try (var admin = server.admin()) {
                MinimalAcl.createWithout(admin, "mender", "mender-pw", "mget");
            }
            var dir = Files.createDirectories(Path.of("target", "redis-workers"));
            var log = Files.createTempFile(dir, "mend", ".log");
            var gate = dir.resolve("mend-" + System.nanoTime() + ".never");
            var marker = dir.resolve("mend-" + System.nanoTime() + ".failed");
            try (var worker = WorkerProcess.start(List.of(), Map.of("TETHER_LOG_LEVEL", "INFO"),
                    "redis://mender:mender-pw@127.0.0.1:" + server.port, "mender-1", "mends", 2);
                 var view = RedisView.live(RedisSettings.parse(server.uri()), graphs(), Routing.none())) {
                // While it is active, each pass asks Redis for its cancel record (MGET): refused.
                var held = view.submit("counted", "mends", Map.of("log", log.toString(), "tag", "h", "holdAt", "n1",
                        "gate", gate.toString()), null).runId();
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(held).map(RunSnapshot::status).orElse(null) == RunStatus.RUNNING);
                var first = view.submit("counted", "mends", Map.of("log", log.toString(), "tag", "r", "failAt", "n3",
                        "failMarker", marker.toString()), RunPolicy.of(Map.of("retries", "1", "retry-delay", "1s", "retry-jitter", "0"))).runId();
                var retry = await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().select(r -> r.retry() != null
                        && r.retry().previous().equals(first)), l -> !l.isEmpty()).getFirst().runId();
                // Only the pass's later step (moving due jobs) puts the retry back on its queue.
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(retry).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.workers().stream()
                        .anyMatch(w -> w.name().equals("mender-1") && w.problems() != null
                                && w.problems().stream().anyMatch(p -> p.startsWith("maintenance step 'checking cancel records' failing for")
                                        && p.contains("NOPERM"))));
                assertThat(view.registry().get(held).map(RunSnapshot::status)).as("still held").contains(RunStatus.RUNNING);
                // A cancel still reaches it: the request is published as well as recorded.
                view.cancel(held);
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(held).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);
                assertThat(worker.output().lines().filter(l -> l.contains("worker 'mender-1' cannot make progress:")))
                        .anyMatch(l -> l.contains("maintenance step 'checking cancel records' failing for") && l.contains("NOPERM"));
                assertThat(worker.output()).doesNotContain("lost Redis");
                RedisAccounting.assertNothingPending(server, List.of("mends"), List.of("mender-1"));
            }
        }
    }

    /** A view whose user may not read the workers' heartbeats (MGET) once a worker is listed. */
    @Test
    void aViewWhoseStepIsRefusedSaysSoOnceAMinuteStaysInContactAndFollowsItsRuns() throws Exception {
        try (var server = RealRedis.start()) {
            try (var admin = server.admin()) {
                MinimalAcl.createWithout(admin, "watcher", "watcher-pw", "mget");
            }
            var logs = new ListAppender<ILoggingEvent>();
            logs.start();
            var redisLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.tether.redis");
            redisLog.addAppender(logs);
            var uri = "redis://watcher:watcher-pw@127.0.0.1:" + server.port;
            var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "watched", ".log");
            try (var view = RedisView.live(RedisSettings.parse(uri), graphs(), Routing.none()); // no worker listed yet: no MGET
                 var worker = WorkerProcess.start(server.uri(), "watched-1", "watched", 1)) {
                var id = view.submit("counted", "watched", Map.of("log", log.toString(), "tag", "w"), null).runId();
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> !refusals(logs, uri).isEmpty());
                // a pass every 250 ms: a dozen and more refused over these 3 s
                await().during(3, TimeUnit.SECONDS).atMost(Hang.ACROSS_PROCESSES).until(view::connected);
                assertThat(refusals(logs, uri)).as("said once a minute").singleElement().asString()
                        .contains("(refused: NOPERM").contains("the rest of the pass goes on");
                assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
                        .noneMatch(m -> m.contains("Redis maintenance failed"));
            } finally {
                redisLog.detachAppender(logs);
            }
        }
    }

    private static List<String> refusals(ListAppender<ILoggingEvent> logs, String uri) {
        synchronized (logs.list) {
            return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("maintenance step 'reading live workers' failed against Redis at redis://watcher@")).toList();
        }
    }
}
