package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.json.Json;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Catching up after a gap, when the first attempt fails. Pub/sub replays nothing: whoever was not
 * listening must read what it missed, and if that read fails it must read again until it succeeds,
 * not wait for the next gap (after the last fault there is none). Each test makes exactly the
 * catch-up fail, by taking from the participant's ACL user the one command only its catch-up
 * uses, and shows the Redis ACL log recorded that refusal before the right is given back.
 */
@org.junit.jupiter.api.Tag("process")
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
class RedisCatchUpTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (var c : toClose.reversed()) c.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private static RedisView view(String uri) {
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        return RedisView.live(RedisSettings.parse(uri), GraphCatalog.of(graphs), Routing.none());
    }

    /**
     * The storm's lost runs: a view resubscribed, its catch-up read failed on a killed connection, and
     * nothing ever made it read again, so runs that ended meanwhile stayed QUEUED or RUNNING in it.
     */
    @Test
    void aViewWhoseCatchUpFailsReadsAgainUntilItHasWhatItMissed() throws Exception {
        var server = closing(RealRedis.start());
        try (var admin = server.admin()) {
            MinimalAcl.create(admin, "watcher", "watcher-pw");
        }
        var view = closing(view("redis://watcher:watcher-pw@127.0.0.1:" + server.port));
        var id = view.submit("counted", "nobody-serves-this", Map.of()).runId();
        assertThat(view.registry().get(id).map(RunSnapshot::status)).contains(RunStatus.QUEUED);
        await().atMost(Hang.ACROSS_PROCESSES).until(view::connected);

        try (var admin = server.admin()) {
            command(admin, "ACL", "LOG", "RESET");
            MinimalAcl.createWithout(admin, "watcher", "watcher-pw", "zrevrange"); // the catch-up's read of the finished runs, nothing else
            cancelWithoutTellingAnyone(admin, id); // as if it was cancelled while the view was not listening
            command(admin, "CLIENT", "KILL", "USER", "watcher", "TYPE", "pubsub");

            await().atMost(Hang.ACROSS_PROCESSES).until(() -> deniedTo(admin, "watcher", "zrevrange"));
            assertThat(view.connected()).as("a view that has not caught up does not say it is connected").isFalse();
            assertThat(view.registry().get(id).map(RunSnapshot::status)).contains(RunStatus.QUEUED);

            MinimalAcl.create(admin, "watcher", "watcher-pw");
        }
        // No event is published from here on: only a new read can bring the view up to date.
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);
        await().atMost(Hang.ACROSS_PROCESSES).until(view::connected);
    }

    /**
     * The restart catch-up: Redis came back empty, the worker's first beat found itself unlisted, and
     * its catch-up (group, its runs' state, missed cancels) failed. Beats went on getting through, so
     * no gap ever came again, and the running run stayed missing from Redis: nobody could see or
     * cancel it. Now the worker holds its runs and retries until the catch-up succeeds, and says in
     * its heartbeat that it cannot make progress meanwhile.
     *
     * <p>A live view that watched the run all along never shows it LOST meanwhile, however long the
     * catch-up fails (found by the Redis soak: such a view showed a run LOST after its record had been
     * missing for 5 s, then kept that verdict while the run ran on and completed).
     */
    @Test
    void aWorkerWhoseCatchUpFailsAfterRedisLostItsDataRetriesUntilItsRunIsBack() throws Exception {
        var server = closing(RealRedis.start());
        try (var admin = server.admin()) {
            MinimalAcl.create(admin, "crew", "crew-pw");
        }
        var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "catch-up", ".log");
        var worker = closing(WorkerProcess.start(List.of(), Map.of(), "redis://crew:crew-pw@127.0.0.1:" + server.port, "crew-1", "gap", 1,
                "--fence-timeout", "60s"));
        String id;
        try (var submitter = view(server.uri())) {
            id = submitter.submit("counted", "gap", Map.of("log", log.toString(), "tag", "g1", "holdAt", "n1",
                    "gate", log + ".never")).runId(); // held in n1 until cancelled
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> "n1".equals(submitter.registry().get(id).map(RunSnapshot::currentNode).orElse("")));
        }
        var watcher = closing(view(server.uri()));
        var shown = new java.util.concurrent.CopyOnWriteArrayList<RunStatus>();
        closing(watcher.registry().watch(change -> {
            if (change.after() != null && change.after().runId().equals(id)) shown.add(change.after().status());
        }));
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> watcher.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.RUNNING);

        try (var admin = server.admin()) {
            command(admin, "ACL", "LOG", "RESET");
            MinimalAcl.createWithout(admin, "crew", "crew-pw", "xgroup|create", "xgroup|delconsumer"); // the catch-up's first step: recreate the consumer group
            command(admin, "FLUSHALL"); // Redis lost its data (a restart without persistence), its users stay
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> deniedTo(admin, "crew", "xgroup"));
            assertThat(admin.exists(Keys.standard().run(id))).as("the run is gone from Redis until the worker writes it again").isFalse();

            try (var observer = view(server.uri())) { // the worker says why it is not making progress
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> observer.workers().stream()
                        .anyMatch(w -> w.name().equals("crew-1") && w.stalled()
                                && String.join(" ", w.problems()).contains("catching up with Redis failing")));
            }
            // Longer than a view waits for a missing record when no worker may still write it back
            // (VanishedRuns.AFTER), plus two of its checks: the watcher still shows the run running.
            Thread.sleep(VanishedRuns.AFTER.toMillis() + 4_000);
            assertThat(admin.exists(Keys.standard().run(id))).isFalse();
            assertThat(watcher.registry().get(id).map(RunSnapshot::status)).as("shown by a view that watched it all along")
                    .contains(RunStatus.RUNNING);
            MinimalAcl.create(admin, "crew", "crew-pw"); // as documented
        }

        // Nothing happens in the run (its node is held): only a retried catch-up writes it again.
        try (var fresh = view(server.uri())) {
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> fresh.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.RUNNING);
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> fresh.workers().stream() // (a gap under load may hold it again a moment)
                    .anyMatch(w -> w.name().equals("crew-1") && w.problems() != null
                            && w.problems().stream().noneMatch(p -> p.contains("catching up with Redis failing"))));
            assertThat(fresh.cancel(id)).isEqualTo(dev.tether.run.CancelOutcome.CANCELLING);
            awaitOrDump("the held run cancelled", () -> fresh.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);
        }
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> watcher.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);
        assertThat(shown).as("what the watching view showed of the run").doesNotContain(RunStatus.LOST);
        assertThat(CountingGraph.read(log).get("g1")).as("node starts").hasSize(1);
        assertThat(worker.output()).contains("catching up with Redis failed").contains("cannot make progress")
                .contains("caught up with Redis after");
        RedisAccounting.assertNothingPending(server, List.of("gap"), List.of("crew-1"));
    }

    /**
     * After a gap (a 2.5 s stall) a worker must catch up before it goes on; while that fails it starts
     * no node and takes no job, which stays on the queue for a worker in contact (here: until this one
     * has caught up). Its free slot would otherwise claim the job and hold it at the first node.
     */
    @Test
    void aWorkerHeldForItsCatchUpTakesNoJobUntilItHasCaughtUp() throws Exception {
        var server = closing(RealRedis.start());
        try (var admin = server.admin()) {
            MinimalAcl.create(admin, "hold", "hold-pw");
        }
        var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "held", ".log");
        closing(WorkerProcess.start(List.of(), Map.of(), "redis://hold:hold-pw@127.0.0.1:" + server.port, "hold-1", "held", 2,
                "--fence-timeout", "60s"));
        var view = closing(view(server.uri()));
        var busy = view.submit("counted", "held", Map.of("log", log.toString(), "tag", "h1", "holdAt", "n1",
                "gate", log + ".never")).runId(); // held in n1 until cancelled
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> "n1".equals(view.registry().get(busy).map(RunSnapshot::currentNode).orElse("")));

        try (var admin = server.admin()) {
            command(admin, "ACL", "LOG", "RESET");
            MinimalAcl.createWithout(admin, "hold", "hold-pw", "mget"); // the catch-up's check of missed cancels
            command(admin, "CLIENT", "PAUSE", "2500", "ALL"); // a stall: the worker's beats stop getting through
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.workers().stream().anyMatch(w -> w.name().equals("hold-1")
                    && w.stalled() && String.join(" ", w.problems()).contains("not caught up with Redis")));
            assertThat(deniedTo(admin, "hold", "mget")).isTrue();

            var job = view.submit("counted", "held", Map.of("log", log.toString(), "tag", "h2")).runId();
            await().during(3, TimeUnit.SECONDS).atMost(Hang.ACROSS_PROCESSES)
                    .until(() -> view.registry().get(job).map(RunSnapshot::status).orElse(null) == RunStatus.QUEUED);

            MinimalAcl.create(admin, "hold", "hold-pw");
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(job).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
        }
        assertThat(view.cancel(busy)).isEqualTo(dev.tether.run.CancelOutcome.CANCELLING);
        awaitOrDump("the busy run cancelled", () -> view.registry().get(busy).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);
        assertThat(CountingGraph.read(log).get("h1")).as("node starts of the held run").hasSize(1);
        RedisAccounting.assertNothingPending(server, List.of("held"), List.of("hold-1"));
    }

    /** Writes the run CANCELLED as write.lua would, minus the publish: a change the view can only learn by reading. */
    private static void cancelWithoutTellingAnyone(RedisClient admin, String id) {
        var k = Keys.standard();
        var queued = RunStore.parseEvent(admin.hget(k.run(id), "j"));
        var now = Instant.now();
        var cancelled = RunStateMachine.apply(queued, new RunEvent.CancelRequested(id, now));
        assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
        admin.hset(k.run(id), Map.of("v", Long.toString(cancelled.version()), "t", "1", "j", Json.write(cancelled)));
        admin.srem(k.active(), id);
        admin.zadd(k.finished(), now.toEpochMilli(), id);
    }

    /** Waits up to the hang bound; if that is not enough, the threads of this JVM and of every worker go into the test output first. */
    private static void awaitOrDump(String what, java.util.concurrent.Callable<Boolean> done) {
        try {
            await().atMost(Hang.ACROSS_PROCESSES).until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            dev.tether.testing.ThreadDumps.printAll("not so after " + Hang.ACROSS_PROCESSES.toSeconds() + " s: " + what);
            throw e;
        }
    }

    /** Whether the Redis ACL log holds a refusal of this command to this user. */
    private static boolean deniedTo(RedisClient admin, String user, String command) {
        var log = String.valueOf(SafeEncoder.encodeObject(command(admin, "ACL", "LOG")));
        return log.contains(user) && log.contains(command);
    }

    private static Object command(RedisClient r, String... args) {
        var name = args[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return r.sendCommand(() -> name, java.util.Arrays.copyOfRange(args, 1, args.length));
    }
}
