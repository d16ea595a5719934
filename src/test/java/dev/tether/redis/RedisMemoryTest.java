package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * README: a Redis at its maxmemory is named as what it is. A server that would evict keys to make room
 * is warned about where workers, views and the setup start (it could drop a run's record, a job, a
 * heartbeat or a cancel); a server that refuses writes is reported as full, not as lost contact: a submit
 * says so and leaves nothing, and a worker that stopped its runs because none of its writes got through
 * says why in the runs it ended. So does any other refusal of writes, by Redis's own error: no replicas
 * (NOREPLICAS), a failed save to disk (MISCONF), a server turned replica (READONLY).
 */
class RedisMemoryTest {
    private final List<AutoCloseable> closing = new ArrayList<>();
    private RealRedis server;

    @AfterEach
    void tearDown() throws Exception {
        for (var c : closing.reversed()) c.close();
    }

    private RealRedis start() throws Exception {
        return start(RealRedis.EMBEDDED);
    }

    private RealRedis start(String binary) throws Exception {
        server = RealRedis.startVersion(binary);
        closing.add(server);
        return server;
    }

    private static void config(RealRedis server, String name, String value) {
        try (var admin = server.admin()) {
            admin.configSet(name, value);
        }
    }

    private String warning() {
        try (var admin = server.admin()) {
            return RedisMemory.evictionWarning(admin, Keys.standard(), server.uri()).orElse(null);
        }
    }

    @Test
    void onlyAServerThatWouldEvictKeysOnceFullIsWarnedAboutAndAWorkerStartingOnItSaysSo() throws Exception {
        start();
        assertThat(warning()).as("no maxmemory: nothing is ever evicted").isNull();
        config(server, "maxmemory-policy", "allkeys-lru");
        assertThat(warning()).as("an evicting policy, but no maxmemory").isNull();
        config(server, "maxmemory", "104857600");
        assertThat(warning()).contains("evicts keys", "100 MiB", "maxmemory-policy allkeys-lru", "set maxmemory-policy noeviction");
        config(server, "maxmemory-policy", "volatile-ttl"); // evicts what expires first: heartbeats and cancel records
        assertThat(warning()).contains("maxmemory-policy volatile-ttl");

        var worker = WorkerProcess.start(List.of(), Map.of(), server.uri(), "warned", "memory", 1);
        closing.add(worker);
        eventuallyAcrossProcesses("the worker warns as it starts").until(() -> worker.output().contains("evicts keys"));

        var logs = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        logs.start();
        var redisLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.tether.redis");
        redisLog.addAppender(logs);
        try {
            var settings = RedisSettings.parse(server.uri());
            try (var live = RedisView.live(settings, GraphCatalog.load(null), Routing.none())) {
                assertThat(warnings(logs)).as("a live view warns as it starts").hasSize(1);
                assertThat(live.warnings()).as("and keeps it for its console").singleElement().asString().contains("evicts keys");
            }
            try (var oneShot = RedisView.oneShot(settings, GraphCatalog.load(null), Routing.none())) {
                assertThat(warnings(logs)).as("a one-shot command does not spend a round trip on it").hasSize(1);
                assertThat(oneShot.warnings()).isEmpty();
            }
            RedisSetup.run(settings, null);
            assertThat(warnings(logs)).as("so does the setup").hasSize(2);
        } finally {
            redisLog.detachAppender(logs);
        }

        config(server, "maxmemory-policy", "noeviction");
        assertThat(warning()).as("a full server that refuses writes loses nothing").isNull();
    }

    /** Warnings about this test's server (other tests may log beside it). */
    private List<String> warnings(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs) {
        synchronized (logs.list) {
            return logs.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("Redis at " + server.uri() + " evicts keys")).toList();
        }
    }

    @Test
    void aSubmitToAFullServerSaysItIsFullAndLeavesNothingBehind() throws Exception {
        start();
        var view = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
        closing.add(view);
        config(server, "maxmemory-policy", "noeviction");
        config(server, "maxmemory", "1");

        assertThatThrownBy(() -> view.submit("welcome-email", "memory", Map.of()))
                .isInstanceOf(RedisFullException.class)
                .hasMessage("Redis at " + server.uri() + " is out of memory (its maxmemory is reached) and refuses writes: "
                        + "raise its maxmemory or free memory");
        var cli = CliRun.of(Map.of(), "submit", "--redis", server.uri(), "welcome-email");
        assertThat(cli.exit()).as("the command line's exit code").isEqualTo(1);
        assertThat(cli.err().strip()).isEqualTo("tether: Redis at " + server.uri() + " is out of memory (its maxmemory is reached) "
                + "and refuses writes: raise its maxmemory or free memory");

        config(server, "maxmemory", "0");
        try (var admin = server.admin()) {
            assertThat(admin.keys("tether:run:*")).as("no record").isEmpty();
            assertThat(admin.exists(Keys.standard().queue("memory"))).as("no job").isFalse();
            assertThat(admin.scard(Keys.standard().active())).isZero();
        }
        assertThat(view.submit("welcome-email", "memory", Map.of()).status()).as("with room again, the same submit is taken")
                .isEqualTo(RunStatus.QUEUED);
    }

    /**
     * A one-shot command that Redis refuses is named by Redis's own error, in one line, the same on
     * Redis 6.2 (which wraps a script's error in its own) and 7 (which appends where the script met
     * it), and loses nothing: here a master told to write only with a replica it does not have.
     */
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aSubmitOrCancelThatRedisRefusesSaysRedissOwnErrorAndLeavesNothingBehind(String binary) throws Exception {
        start(binary);
        var view = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
        closing.add(view);
        var queued = view.submit("welcome-email", "refused", Map.of()).runId();
        config(server, "min-replicas-to-write", "1");
        var refusal = "tether: Redis at " + server.uri() + " refuses: NOREPLICAS Not enough good replicas to write.";

        var submit = CliRun.of(Map.of(), "submit", "--redis", server.uri(), "--queue", "refused", "welcome-email");
        assertThat(submit.err().strip()).isEqualTo(refusal);
        assertThat(submit.exit()).as("the command line's exit code").isEqualTo(1);
        var cancel = CliRun.of(Map.of(RedisSettings.ENV, server.uri()), "cancel", queued);
        assertThat(cancel.err().strip()).isEqualTo(refusal);
        assertThat(cancel.exit()).isEqualTo(1);
        assertThatThrownBy(() -> view.submit("welcome-email", "refused", Map.of())).isInstanceOf(RedisRefusedException.class)
                .hasMessage(refusal.substring("tether: ".length()));

        config(server, "min-replicas-to-write", "0");
        try (var admin = server.admin()) {
            assertThat(admin.keys("tether:run:*")).as("no record but the first run's").containsExactly("tether:run:" + queued);
            assertThat(admin.xlen(Keys.standard().queue("refused"))).as("one job").isEqualTo(1);
            assertThat(admin.exists(Keys.standard().cancel(queued))).as("no cancel record").isFalse();
        }
        assertThat(view.run(queued).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
        assertThat(view.cancel(queued)).as("taken again, the same cancel").isEqualTo(dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START);
    }

    /**
     * Nobody else sweeps here (a one-shot view and one worker): the run's end can only be the one its own
     * worker writes once Redis takes writes again, with the reason it stopped the run.
     */
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aWorkerWhoseWritesAFullServerRefusesStopsItsRunsAndSaysWhy(String binary) throws Exception {
        var lost = refusedUntilFenced(binary, "starved", List.of("maxmemory-policy", "noeviction", "maxmemory", "1"), List.of("maxmemory", "0"));
        assertThat(lost.error().message()).startsWith("worker 'starved' could not write to Redis for ")
                .endsWith(" ms (out of memory: its maxmemory was reached) and stopped the run itself");
        assertThat(worker.output()).contains("is out of memory (its maxmemory is reached) and refuses writes").doesNotContain("lost Redis at");
        // README: said once a minute, not at every refused write (a beat is tried every 200 ms)
        long said = worker.output().lines().filter(l -> l.contains("is out of memory (its maxmemory is reached)")).count();
        assertThat(said).as("times the worker said so in " + refusedMillis + " ms of refusal").isBetween(1L, 1 + refusedMillis / 60_000);
    }

    /**
     * README, LOST means lost: a server that refuses writes for longer than a heartbeat's TTL (here out of
     * memory for 4 s, within the workers' fence timeout) refused the beats too, while every participant's
     * reads went on. When it takes writes again, the workers and a live view, all of them sweeping, must
     * give each worker its beat before judging it: every run completes, each node once, none LOST.
     */
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void writesRefusedForLongerThanAHeartbeatLoseNoRunOfAHealthyWorker(String binary) throws Exception {
        start(binary);
        var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "refused-a-while", ".log");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        var view = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.of(graphs), Routing.none());
        closing.add(view);
        var names = List.of("patient-1", "patient-2");
        for (var name : names) closing.add(WorkerProcess.start(List.of(), Map.of(), server.uri(), name, "memory", 4));
        var ids = new ArrayList<String>();
        for (int i = 0; i < 40; i++) {
            ids.add(view.submit("counted", "memory", Map.of("log", log.toString(), "tag", "r" + i, "nodeMillis", 300)).runId());
        }
        eventuallyAcrossProcesses().until(() -> ids.stream().filter(id -> view.registry().get(id)
                .map(r -> r.status() == RunStatus.COMPLETED).orElse(false)).count() >= 4);
        config(server, "maxmemory-policy", "noeviction");
        config(server, "maxmemory", "1");
        Thread.sleep(4_000); // the fault's length: longer than a heartbeat's TTL (2.5 s), shorter than the fence (10 s)
        config(server, "maxmemory", "0");

        eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id -> view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));
        for (var id : ids) {
            var run = view.registry().get(id).orElseThrow();
            assertThat(run.status()).as(id + " " + (run.error() == null ? "" : run.error().message())).isEqualTo(RunStatus.COMPLETED);
        }
        var started = CountingGraph.read(log);
        assertThat(started).as("every run executed").hasSize(ids.size());
        started.forEach((tag, nodes) -> assertThat(nodes).as("node starts of " + tag).extracting(n -> n[0])
                .containsExactlyElementsOf(CountingGraph.NODES));
        RedisAccounting.assertNothingPending(server, List.of("memory"), names);
    }

    /** Any refusal is named by Redis's own error: here a master told to write only with a replica it does not have. */
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aWorkerWhoseWritesAreRefusedForWantOfReplicasSaysSo(String binary) throws Exception {
        var lost = refusedUntilFenced(binary, "unreplicated", List.of("min-replicas-to-write", "1"), List.of("min-replicas-to-write", "0"));
        assertThat(lost.error().message()).startsWith("worker 'unreplicated' could not write to Redis for ")
                .endsWith(" ms (NOREPLICAS Not enough good replicas to write.) and stopped the run itself");
        assertThat(worker.output()).contains("refuses: NOREPLICAS Not enough good replicas to write.").doesNotContain("lost Redis at");
    }

    private WorkerProcess worker;
    /** How long {@link #refusedUntilFenced} refused writes. */
    private long refusedMillis;

    /**
     * A run held mid-node on a worker of a 3 s fence; then {@code refuse} (CONFIG SET pairs) until the worker has
     * fenced itself, then {@code allow}. Returns the run as Redis then records it, LOST; checks that it started
     * no node after, and that nothing is left pending.
     */
    private RunSnapshot refusedUntilFenced(String binary, String name, List<String> refuse, List<String> allow) throws Exception {
        return refusedUntilFenced(binary, name, admin -> configs(admin, refuse), admin -> configs(admin, allow));
    }

    private static void configs(redis.clients.jedis.RedisClient admin, List<String> pairs) {
        for (int i = 0; i < pairs.size(); i += 2) admin.configSet(pairs.get(i), pairs.get(i + 1));
    }

    /** Something done to the server as its admin. */
    private interface AdminStep {
        void run(redis.clients.jedis.RedisClient admin) throws Exception;
    }

    /** As {@link #refusedUntilFenced(String, String, List, List)}, the refusal and its end done by {@code refuse} and {@code allow}. */
    private RunSnapshot refusedUntilFenced(String binary, String name, AdminStep refuse, AdminStep allow) throws Exception {
        start(binary);
        return refusedUntilFenced(server.uri(), server, Keys.standard(), name, refuse, allow);
    }

    /**
     * As above, for a worker given {@code uri}, whose keys ({@code keys}) live on {@code home}: the server
     * that refuses, a single Redis or the master of the keys' slot in a cluster.
     */
    private RunSnapshot refusedUntilFenced(String uri, RealRedis home, Keys keys, String name, AdminStep refuse, AdminStep allow) throws Exception {
        var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), name, ".log");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        var view = RedisView.oneShot(RedisSettings.parse(uri), GraphCatalog.of(graphs), Routing.none());
        closing.add(view);
        worker = WorkerProcess.start(List.of(), Map.of(), uri, name, "memory", 1, "--fence-timeout", "3s");
        closing.add(worker);
        var admin = home.admin();
        closing.add(admin);
        var store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
        // held in n2 by a gate nobody opens: the writes are refused mid-node however slow the machine
        var run = view.submit("counted", "memory", Map.of("log", log.toString(), "tag", "m1", "holdAt", "n2",
                "gate", log.resolveSibling(log.getFileName() + ".never").toString())).runId();
        eventuallyAcrossProcesses().until(() -> store.get(run).map(RunSnapshot::currentNode).orElse("").equals("n2"));

        long refusedAt = System.nanoTime();
        refuse.run(admin);
        eventuallyAcrossProcesses("the worker fences itself").until(() -> worker.output().contains("stopping its runs (fence)"));
        assertThat(store.get(run).orElseThrow().status()).as("nothing written meanwhile").isEqualTo(RunStatus.RUNNING);
        allow.run(admin);
        refusedMillis = (System.nanoTime() - refusedAt) / 1_000_000;

        eventuallyAcrossProcesses().until(() -> store.get(run).map(RunSnapshot::status).orElse(null) == RunStatus.LOST);
        assertThat(CountingGraph.read(log).get("m1")).as("node starts").extracting(n -> n[0]).containsExactly("n1", "n2");
        RedisAccounting.assertNothingPending(home, keys, List.of("memory"), List.of(name));
        return store.get(run).orElseThrow();
    }

    /**
     * A server that cannot save its snapshot (here: its file name is taken by a directory) refuses writes with
     * MISCONF while {@code stop-writes-on-bgsave-error} is on, as a full disk would have it.
     */
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aWorkerWhoseWritesAreRefusedBecauseRedisCannotSaveToDiskSaysSo(String binary) throws Exception {
        var lost = refusedUntilFenced(binary, "unsaved", RedisMemoryTest::cannotSave, RedisMemoryTest::canSave);
        assertThat(lost.error().message()).startsWith("worker 'unsaved' could not write to Redis for ")
                .contains(" ms (MISCONF ").endsWith(") and stopped the run itself");
        assertThat(worker.output()).contains("refuses: MISCONF ").doesNotContain("lost Redis at");
    }

    /**
     * The same in a Redis Cluster of 6.2, which refuses even PING while it cannot save: the master of the
     * worker's slot refuses its writes (the cluster does not fail it over: its nodes check each other on
     * their own bus), and the worker names the refusal, through the cluster client, as on one Redis.
     */
    @Test
    void aWorkerInAClusterWhoseMasterCannotSaveToDiskSaysSo() throws Exception {
        var cluster = RealCluster.start();
        closing.add(cluster);
        var keys = Keys.hashTagged("unsaved");
        var lost = refusedUntilFenced(cluster.uri("unsaved"), cluster.masterOf(keys.slot()), keys, "unsaved-in-cluster",
                RedisMemoryTest::cannotSave, RedisMemoryTest::canSave);
        assertThat(lost.error().message()).startsWith("worker 'unsaved-in-cluster' could not write to Redis for ")
                .contains(" ms (MISCONF ").endsWith(") and stopped the run itself");
        assertThat(worker.output()).contains("refuses: MISCONF ").doesNotContain("lost Redis at");
    }

    /** Its snapshot's file name taken by a directory, a save that fails, and writes refused while the save setting stays. */
    static void cannotSave(redis.clients.jedis.RedisClient admin) throws java.io.IOException {
        var dir = Path.of(admin.configGet("dir").get("dir"));
        Files.createDirectories(dir.resolve("unsavable.rdb"));
        admin.configSet("save", "3600 1");
        admin.configSet("dbfilename", "unsavable.rdb");
        admin.sendCommand(redis.clients.jedis.Protocol.Command.BGSAVE);
        eventuallyAcrossProcesses("the save fails").until(() -> admin.info("persistence").contains("rdb_last_bgsave_status:err"));
    }

    /** No save points: nothing to fail (and a shutdown that does not try to save). */
    static void canSave(redis.clients.jedis.RedisClient admin) {
        admin.configSet("save", "");
        admin.configSet("dbfilename", "dump.rdb");
    }

    /** A server turned into a replica under its workers (a failover done by hand, without Sentinel) refuses writes: READONLY. */
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aWorkerWhoseServerBecameAReplicaSaysSo(String binary) throws Exception {
        var lost = refusedUntilFenced(binary, "demoted", admin -> admin.sendCommand(redis.clients.jedis.Protocol.Command.REPLICAOF, "127.0.0.1", "1"), // a master nobody serves: the data stays
                admin -> admin.sendCommand(redis.clients.jedis.Protocol.Command.REPLICAOF, "NO", "ONE"));
        assertThat(lost.error().message()).startsWith("worker 'demoted' could not write to Redis for ")
                .endsWith(" ms (READONLY You can't write against a read only replica.) and stopped the run itself");
        assertThat(worker.output()).contains("refuses: READONLY ").doesNotContain("lost Redis at");
    }
}
