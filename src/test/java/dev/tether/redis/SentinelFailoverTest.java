package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * High availability through Redis Sentinel, against real processes: a master, its two replicas, three
 * sentinels, two worker processes and a view, all given only the sentinels' addresses. Runs are under
 * way when the master dies (and the sentinels promote the replica), and again when an operator fails
 * over back to the first server once it has rejoined as a replica; when the master cannot save to its
 * disk; when it stalls and comes back. Every run is accounted for after each: it ended COMPLETED, no
 * node of any run started twice, and nothing is left pending on the master of the moment.
 */
@Tag("process")
class SentinelFailoverTest {
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private RealSentinels redis;
    private RedisView view;
    private Path log;

    @AfterEach
    void tearDown() throws Exception {
        for (var c : closeFirst.reversed()) c.close();
        if (redis != null) redis.close();
    }

    private String counted(String tag) {
        return view.submit("counted", "ha", Map.of("log", log.toString(), "tag", tag, "nodeMillis", 60)).runId();
    }

    /** {@code n} runs submitted (tags {@code tag}0, {@code tag}1, ...), returned once 5 have completed: the rest queued or running. */
    private List<String> submittedAndStarted(String tag, int n) {
        var ids = new ArrayList<String>();
        for (int i = 0; i < n; i++) ids.add(counted(tag + i));
        eventuallyAcrossProcesses().until(() -> completed(ids) >= 5);
        return ids;
    }

    private int completed(List<String> ids) {
        return (int) ids.stream().filter(id -> view.registry().get(id).map(r -> r.status() == RunStatus.COMPLETED).orElse(false)).count();
    }

    private void awaitEnded(List<String> ids) {
        try (var watch = dev.tether.testing.ProgressWatch.of("runs ending through a failover", () -> ids.stream()
                .filter(id -> view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)).count())) {
            eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id ->
                    view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));
        }
    }

    /** The sentinels' setup with a live view over it and two workers of 4 slots on queue "ha", their runs' nodes logged in a file named for {@code what}. */
    private List<WorkerProcess> underWay(String what, String workerPrefix) throws Exception {
        redis = RealSentinels.start();
        log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), what, ".log");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        var settings = RedisSettings.parse(redis.uri());
        assertThat(settings.replicas()).as("behind Sentinel, a claim waits for every healthy replica").isEqualTo(RedisSettings.ALL);
        view = RedisView.live(settings, GraphCatalog.of(graphs), Routing.none());
        closeFirst.add(view);
        var workers = new ArrayList<WorkerProcess>();
        for (var name : List.of(workerPrefix + "-1", workerPrefix + "-2")) {
            var w = WorkerProcess.start(redis.uri(), name, "ha", 4);
            closeFirst.add(w);
            workers.add(w);
        }
        return workers;
    }

    /** Every run COMPLETED in the view and in Redis (the master of the moment), each node started once, nothing pending. */
    private void assertAccountedFor(List<String> ids, List<WorkerProcess> workers) throws Exception {
        for (var id : ids) assertThat(view.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
        var nodes = CountingGraph.read(log);
        assertThat(nodes).as("every run executed").hasSize(ids.size());
        nodes.forEach((tag, started) -> assertThat(started.stream().map(n -> n[0]).toList()).as("nodes of " + tag)
                .containsExactlyElementsOf(CountingGraph.NODES));
        var master = redis.master();
        var store = new RunStore(master.admin(), Keys.standard(), Duration.ofDays(1), 10_000);
        for (var id : ids) assertThat(store.get(id).orElseThrow().status()).as(id + " in Redis").isEqualTo(RunStatus.COMPLETED);
        RedisAccounting.assertNothingPending(master, List.of("ha"), workers.stream().map(w -> w.name).toList());
    }

    /**
     * Redis 7 passes no {@code SCRIPT LOAD} to replicas: a promoted replica would refuse every role
     * below admin until the admin step ran again, unless that step loads them on every replica.
     * Debian's Redis 7 only (skipped where it is not installed): 6.2 passes the load on to its
     * replicas itself, so there the check could not fail.
     */
    @Test
    void theAdminStepLoadsTheScriptsOnEveryReplicaSoThatAFailoverFindsThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(RealRedis.SYSTEM_BINARY)),
                RealRedis.SYSTEM_BINARY + " is not installed (apt-get install redis-server): Redis 7's replicas are not checked here");
        redis = RealSentinels.start(RealRedis.SYSTEM_BINARY);
        RedisSetup.run(RedisSettings.parse(redis.uri()), null);
        for (var server : redis.servers) {
            try (var c = server.admin()) {
                assertThat(c.scriptExists(Script.all().stream().map(Script::sha).toList())).as("scripts on " + server.port).containsOnly(true);
            }
        }
    }

    /**
     * The sentinels list a replica as "disconnected" for a moment while they promote it, and both as
     * such right after the switch (their links to them are new). Counting those out let a write wait for
     * no replica at all, and a claim on the old master, still taking writes, started a run the new master
     * never heard of: it ran twice. Sampled every few milliseconds through two operator failovers.
     */
    @Test
    void theReplicasAWriteWaitsForStayCountedThroughAnOperatorFailover() throws Exception {
        redis = RealSentinels.start();
        var settings = RedisSettings.parse(redis.uri());
        for (int round = 1; round <= 2; round++) {
            var before = redis.master();
            redis.failover();
            var seen = new java.util.TreeMap<Integer, Integer>();
            for (long end = System.nanoTime() + 6_000_000_000L; System.nanoTime() < end; Thread.sleep(2)) {
                seen.merge(settings.healthyReplicas(), 1, Integer::sum);
            }
            assertThat(seen.keySet()).as("replicas counted in failover " + round + " (count=times seen: " + seen + ")").containsOnly(2);
            untilSentinels("failover " + round + " done", () -> redis.master() != before && redis.replicating());
        }
    }

    @Test
    void runsUnderWayWhenTheMasterDiesAndWhenAnOperatorFailsOverAreEachAccountedFor() throws Exception {
        var workers = underWay("sentinel", "ha");

        // 1. the master dies with runs queued and running; the sentinels promote its replica
        var first = redis.master();
        var ids = submittedAndStarted("a", 40);
        first.stop();
        untilSentinels("the replica promoted", () -> redis.master() != first);
        awaitEnded(ids);
        assertAccountedFor(ids, workers);

        // 2. the first server comes back (the sentinels make it a replica); more runs; an operator fails over to it
        first.startAgain();
        untilSentinels("the old master made a replica", redis::replicating);
        var more = submittedAndStarted("b", 40);
        var second = redis.master();
        redis.failover();
        untilSentinels("the operator's failover done", () -> redis.master() != second);
        awaitEnded(more);
        var all = new ArrayList<>(ids);
        all.addAll(more);
        assertAccountedFor(all, workers);

        // 3. work still flows, and the view answers, on the master of the moment
        var after = counted("c0");
        awaitEnded(List.of(after));
        all.add(after);
        assertAccountedFor(all, workers);
        assertThat(view.run(after).map(RunSnapshot::status)).contains(RunStatus.COMPLETED);
    }

    /**
     * A master that cannot save to its disk (as a full disk would have it; here its snapshot's name is
     * taken by a directory) refuses writes with MISCONF, and Redis 6.2 refuses the sentinels' PING too:
     * they take it for down and promote a replica. The workers say the refusal by its name meanwhile, and
     * every run under way is accounted for: none LOST, although the workers' beats were refused for
     * longer than their TTL and the new master holds none of them (a sweep judges only a TTL after a
     * write of its own got through, and after a TTL on the same server).
     */
    @Test
    void runsUnderWayWhenTheMasterCannotSaveToItsDiskAreEachAccountedFor() throws Exception {
        var workers = underWay("sentinel-misconf", "disk");
        var first = redis.master();
        var ids = submittedAndStarted("d", 60);
        try (var admin = first.admin()) {
            RedisMemoryTest.cannotSave(admin);
            untilSentinels("the master that cannot save replaced", () -> redis.master() != first);
            RedisMemoryTest.canSave(admin); // a replica now: no save to fail, on its way out either
        }
        awaitEnded(ids);
        assertAccountedFor(ids, workers);
        for (var w : workers) assertThat(w.output()).as(w.name).contains("refuses: MISCONF ");
    }

    /**
     * A master that stops answering without going away (SIGSTOP: a paused VM, a process swapped out):
     * every connection to it hangs until its client's timeout, and the sentinels promote a replica. It
     * comes back (SIGCONT) still believing it is the master until the sentinels make it a replica, with
     * the workers' hung commands answered by it meanwhile: nothing it takes then may count. Every run
     * under way is accounted for.
     */
    @Test
    void runsUnderWayWhenTheMasterStallsAndComesBackAreEachAccountedFor() throws Exception {
        var workers = underWay("sentinel-stall", "stall");
        var first = redis.master();
        long pid;
        try (var admin = first.admin()) {
            pid = admin.info("server").lines().filter(l -> l.startsWith("process_id:")).mapToLong(l -> Long.parseLong(l.substring(11).strip()))
                    .findFirst().orElseThrow();
        }
        var ids = submittedAndStarted("s", 60);
        signal(pid, "STOP");
        try {
            untilSentinels("the stalled master replaced", () -> redis.master() != first);
        } finally {
            signal(pid, "CONT");
        }
        untilSentinels("the old master made a replica", redis::replicating);
        awaitEnded(ids);
        assertAccountedFor(ids, workers);
    }

    private static void signal(long pid, String signal) throws Exception {
        var kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal + " " + pid).isZero();
    }

    /** Waits for the sentinels to do something; if they never do, the failure shows what they announced. */
    private void untilSentinels(String what, java.util.concurrent.Callable<Boolean> done) {
        try {
            eventuallyAcrossProcesses().until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the sentinels never got to: " + what + redis.events(), e);
        }
    }
}
