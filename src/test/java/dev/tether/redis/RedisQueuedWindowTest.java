package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.BulkCancel;
import dev.tether.run.ActiveQuery;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A console's view holds the queued runs first in line up to its cap, and every running one
 * (real redis-server, a real worker process): the rest are counted, come in as held ones leave, and
 * are still reached by what acts on every run (a page of active runs, cancel all).
 */
class RedisQueuedWindowTest {
    static final int CAP = 20;
    static final int PARKED = 60;
    RealRedis server;
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        try (var admin = server.admin()) {
            RedisSetup.run(admin, Keys.standard(), null);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (var c : closing.reversed()) c.close();
        server.close();
    }

    private List<String> park(int n) {
        return submit(n, "welcome-email", "parked", Map.of()); // on a queue no worker takes
    }

    private List<String> submit(int n, String graph, String queue, Map<String, Object> input) {
        var ids = new ArrayList<String>();
        try (var admin = server.admin()) {
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            for (int i = 0; i < n; i++) {
                var request = new dev.tether.engine.RunRequest(RunIds.next(), graph, queue, input,
                        Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
                var queued = RunStateMachine.apply(null, request.submitted());
                store.submit(queued, Keys.standard().queue(queue), Jobs.fields(request));
                ids.add(queued.runId());
            }
        }
        ids.sort(null); // in line: ids are time-ordered to the millisecond, and sort as strings
        return ids;
    }

    private RedisView console() {
        var v = RedisView.liveLoading(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none(), null, CAP);
        closing.add(v);
        v.startLoading();
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> !v.loading());
        return v;
    }

    private RedisView oneShot() {
        var v = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
        closing.add(v);
        return v;
    }

    private static Set<String> held(RedisView v, RunStatus status) {
        var out = new HashSet<String>();
        for (var r : v.registry().withStatus(status)) out.add(r.runId());
        return out;
    }

    /**
     * {@code n} long runs on a worker's queue, submitted now (after every parked run: beyond the window in
     * line), once each runs. Each sleeps in its first node ({@link CountingGraph}): nothing of it is written
     * while it runs, so a view opened now sees it only by loading it.
     */
    private List<String> runningOnAWorker(int n) throws Exception {
        var worker = WorkerProcess.start(server.uri(), "window-worker", "busy", n);
        closing.add(worker);
        var submitter = oneShot();
        var ids = submit(n, "counted", "busy", Map.of("nodeMillis", 600_000));
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> ids.stream().allMatch(id -> submitter.run(id).map(r -> r.status() == RunStatus.RUNNING).orElse(false)));
        return ids;
    }

    @Test
    void itHoldsTheFirstQueuedRunsInLineAndEveryRunningOneAndCountsTheRest() throws Exception {
        var parked = park(PARKED);
        var v = console();
        assertThat(held(v, RunStatus.QUEUED)).containsExactlyInAnyOrderElementsOf(parked.subList(0, CAP));

        // Queued beyond the full window when submitted; shown once a worker runs them (their start is an event).
        var running = runningOnAWorker(3);
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> held(v, RunStatus.RUNNING).equals(new HashSet<>(running)));
        assertThat(held(v, RunStatus.QUEUED)).containsExactlyInAnyOrderElementsOf(parked.subList(0, CAP));

        // A view opened now loads the same: every running run, the first queued ones.
        var opened = console();
        assertThat(held(opened, RunStatus.RUNNING)).containsExactlyInAnyOrderElementsOf(running);
        assertThat(held(opened, RunStatus.QUEUED)).containsExactlyInAnyOrderElementsOf(parked.subList(0, CAP));

        await("the queued runs counted").atMost(Hang.IN_PROCESS).until(() -> v.queuedNotShown() == PARKED - CAP);
        assertThat(v.stats().queued()).as("the executor line counts every queued run").isEqualTo(PARKED);
        try (var metrics = dev.tether.metrics.TetherMetrics.of(v)) {
            assertThat(metrics.scrape()).as("the gauge counts every queued run").contains("tether_runs_active{status=\"QUEUED\"} " + PARKED + ".0");
        }
        var page = v.active(ActiveQuery.first(1_000));
        assertThat(page.runs()).as("a page of active runs is read from Redis").hasSize(PARKED + running.size());
        assertThat(v.activeRuns()).as("every active run, read from Redis").hasSize(PARKED + running.size());

        // A run submitted elsewhere while the window is full waits in Redis, counted.
        var late = oneShot().submit("welcome-email", "parked", Map.of()).runId();
        await().atMost(Hang.IN_PROCESS).until(() -> v.queuedNotShown() == PARKED - CAP + 1);
        assertThat(v.registry().get(late)).isEmpty();
        assertThat(v.find(late)).as("still found by its id").map(RunSnapshot::status).contains(RunStatus.QUEUED);
        for (var id : running) v.cancel(id, CancelRequest.by(CancelOrigin.CONSOLE));
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> held(v, RunStatus.RUNNING).isEmpty() && held(v, RunStatus.CANCELLING).isEmpty());
    }

    @Test
    void heldRunsThatLeaveMakeRoomForTheNextInLine() throws Exception {
        var parked = park(PARKED);
        var v = console();
        assertThat(held(v, RunStatus.QUEUED)).containsExactlyInAnyOrderElementsOf(parked.subList(0, CAP));

        var other = oneShot();
        for (var id : parked.subList(0, 5)) other.cancel(id, CancelRequest.by(CancelOrigin.CLI));
        await("the next five in line come in").atMost(Hang.ACROSS_PROCESSES)
                .until(() -> held(v, RunStatus.QUEUED).equals(new HashSet<>(parked.subList(5, CAP + 5))));
        for (var id : parked.subList(0, 5)) assertThat(v.registry().get(id)).map(RunSnapshot::status).contains(RunStatus.CANCELLED);
        await().atMost(Hang.IN_PROCESS).until(() -> v.queuedNotShown() == PARKED - CAP - 5);

        // Fewer queued runs than the cap: every one is held, nothing is left uncounted.
        for (var id : parked.subList(5, PARKED - 3)) other.cancel(id, CancelRequest.by(CancelOrigin.CLI));
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> held(v, RunStatus.QUEUED).equals(new HashSet<>(parked.subList(PARKED - 3, PARKED))));
        await().atMost(Hang.IN_PROCESS).until(() -> v.queuedNotShown() == 0);
    }

    @Test
    void cancelAllReachesEveryRunInRedisNotOnlyTheOnesShown() throws Exception {
        var parked = park(PARKED);
        var running = runningOnAWorker(2);
        var v = console();
        assertThat(v.registry().active()).hasSize(CAP + running.size());

        var report = BulkCancel.all(v, CancelRequest.by(CancelOrigin.CONSOLE), Duration.ofSeconds(30));

        var everyRun = new ArrayList<>(parked);
        everyRun.addAll(running);
        assertThat(report.cancelled()).containsExactlyInAnyOrderElementsOf(everyRun);
        assertThat(report.cancelled().subList(0, PARKED)).as("queued ones first, in line").containsExactlyElementsOf(parked);
        var reader = oneShot();
        await().atMost(Hang.ACROSS_PROCESSES).untilAsserted(() -> {
            for (var id : everyRun) assertThat(reader.run(id)).as(id).map(RunSnapshot::status).contains(RunStatus.CANCELLED);
        });
        assertThat(reader.activeRuns()).isEmpty();
        await().atMost(Hang.IN_PROCESS).until(() -> v.queuedNotShown() == 0 && v.registry().active().isEmpty());
    }
}
