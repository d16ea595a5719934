package dev.tether.redis;

import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A one-shot command (the command line with {@code --redis}) costs the same Redis commands whatever
 * the number of runs Redis holds (a page of {@code list} too): each command's commands, as the server counts them ({@code INFO
 * commandstats}, nothing else connected), with 10 runs parked in Redis and with 5,000.
 */
@Tag("process")
class RedisOneShotCostTest {
    private static final String QUEUE = "parked"; // no worker takes it: runs stay where the test puts them

    @Test
    void submitStatusCancelResumeAndAPageOfListIssueTheSameCommandsWith10RunsOr5000() throws Exception {
        try (var server = RealRedis.start(); var admin = quiet(server)) {
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            RedisSetup.run(admin, Keys.standard(), null); // the scripts loaded, as a deployment has them: no command's first use loads one
            park(store, 10);
            var few = costs(server, admin, store);
            park(store, 4_990);
            assertThat(admin.scard(Keys.standard().active()) + admin.zcard(Keys.standard().finished())).isGreaterThanOrEqualTo(5_000);
            var many = costs(server, admin, store);

            assertThat(many).as("commands per command with 5,000 runs, against 10 runs (%s)", few).isEqualTo(few);
            for (var command : List.of("submit", "status", "cancel", "cancel --wait", "resume", "list --limit 5")) {
                assertThat(few.get(command)).as(command + " reads or writes something").isNotEmpty();
            }
        }
    }

    @Test
    void theLiveWorkersAreReadWithOneSmembersAndOneMgetHoweverManyThereAre() throws Exception {
        try (var server = RealRedis.start(); var admin = quiet(server)) {
            var keys = Keys.standard();
            for (int i = 0; i < 20; i++) {
                admin.sadd(keys.workers(), "w" + i);
                admin.set(keys.worker("w" + i), "{\"name\":\"w" + i + "\",\"queues\":[\"q\"],\"graphs\":[],\"concurrency\":1}");
            }
            admin.sadd(keys.workers(), "gone"); // listed, its heartbeat expired: not live
            var before = commandStats(admin);
            var live = Heartbeat.liveWorkers(admin, keys);
            var issued = delta(before, commandStats(admin));

            assertThat(live).hasSize(20);
            assertThat(issued).isEqualTo(Map.of("smembers", 1L, "mget", 1L));
        }
    }

    /**
     * The test's own client, whose pool never checks idle connections: its evictor's PING (every 30 s by
     * default) would land in some command's count.
     */
    private static RedisClient quiet(RealRedis server) {
        var pool = new redis.clients.jedis.ConnectionPoolConfig();
        pool.setTestWhileIdle(false);
        pool.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
        return RedisClient.builder().hostAndPort("127.0.0.1", server.port).poolConfig(pool).build();
    }

    /** Each command's Redis commands (name to calls), run as the command line runs it, against fresh runs of the same shapes. */
    private static Map<String, Map<String, Long>> costs(RealRedis server, RedisClient admin, RunStore store) throws Exception {
        var finished = ended(store, admin); // cancelled with a checkpoint: it can be resumed
        var queued = queue(store);
        var queuedToo = queue(store);
        var out = new LinkedHashMap<String, Map<String, Long>>();
        out.put("list --limit 5", cost(server, admin, "list", "--limit", "5"));
        out.put("list --status QUEUED --queue parked --limit 5", cost(server, admin, "list", "--status", "QUEUED", "--queue", QUEUE, "--limit", "5"));
        out.put("submit", cost(server, admin, "submit", "welcome-email", "--queue", QUEUE));
        out.put("status", cost(server, admin, "status", finished.shortId()));
        out.put("cancel", cost(server, admin, "cancel", queued.shortId()));
        out.put("cancel --wait", cost(server, admin, "cancel", queuedToo.shortId(), "--wait"));
        out.put("resume", cost(server, admin, "resume", finished.shortId()));
        assertThat(store.get(queued.runId()).map(RunSnapshot::status)).contains(RunStatus.CANCELLED);
        assertThat(store.get(queuedToo.runId()).map(RunSnapshot::status)).contains(RunStatus.CANCELLED);
        return out;
    }

    private static Map<String, Long> cost(RealRedis server, RedisClient admin, String... args) throws Exception {
        var before = commandStats(admin);
        var run = CliRun.of(Map.of(RedisSettings.ENV, server.uri()), args);
        var issued = delta(before, commandStats(admin));
        assertThat(run.exit()).as(String.join(" ", args) + ": " + run.err() + run.out()).isZero();
        return issued;
    }

    /** Calls per command since {@code before}, the INFO the test itself sends left out. */
    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        var out = new TreeMap<String, Long>();
        after.forEach((command, calls) -> {
            long n = calls - before.getOrDefault(command, 0L);
            if (n > 0 && !command.equals("info")) out.put(command, n);
        });
        return out;
    }

    private static Map<String, Long> commandStats(RedisClient admin) {
        var out = new TreeMap<String, Long>();
        for (var line : admin.info("commandstats").lines().toList()) {
            if (!line.startsWith("cmdstat_")) continue;
            var name = line.substring("cmdstat_".length(), line.indexOf(':'));
            var calls = line.substring(line.indexOf("calls=") + 6);
            out.put(name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
        }
        return out;
    }

    /** {@code n} runs parked in Redis, as a deployment holds them: half waiting on their queue, half ended. */
    private static void park(RunStore store, int n) {
        IntStream.range(0, n).forEach(i -> {
            var run = queue(store);
            if (i % 2 == 1) store.updateQueued(run.runId(), new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT));
        });
    }

    private static RunSnapshot queue(RunStore store) {
        var request = new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", QUEUE, Map.of("name", "x"),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
        var queued = RunStateMachine.apply(null, request.submitted());
        store.submit(queued, store.keys().queue(QUEUE), Jobs.fields(request));
        return queued;
    }

    private static RunSnapshot ended(RunStore store, RedisClient admin) {
        var run = queue(store);
        var cancelled = store.updateQueued(run.runId(), new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT)).orElseThrow();
        var checkpoint = Checkpoint.builder().id("c1").nodeId("render").nextNodeId("send").state(Map.of("name", "x")).build();
        admin.rpush(store.keys().checkpoints(run.runId()), RedisCheckpointStore.entry(checkpoint, Instant.now()));
        return cancelled;
    }
}
