package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.RunRequest;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

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
 * The four documented roles (docs/redis-protocol.md), each as exactly its ACL user, on the tests'
 * Redis 6.2 and on Debian's 7.0: what each must be able to do, and what each must be refused. Redis
 * 7's key permissions and selectors confine more than 6.2 can; the tests say where.
 */
@Tag("process")
class RedisRolesTest {
    private static String uri(RealRedis server, String user) {
        return "redis://" + user + ":" + user + "-pw@127.0.0.1:" + server.port;
    }

    private static RedisClient as(RealRedis server, String user) {
        return RedisClient.builder().hostAndPort("127.0.0.1", server.port)
                .clientConfig(DefaultJedisClientConfig.builder().user(user).password(user + "-pw").build()).build();
    }

    /**
     * The admin role and the three others, as the document says (the worker's users made for the
     * workers named role-worker and role-worker-2); the scripts not loaded yet.
     */
    private static int users(RealRedis server) throws Exception {
        try (var root = server.admin()) {
            for (var role : MinimalAcl.Role.values()) {
                var user = "tether-" + role.name().toLowerCase(java.util.Locale.ROOT);
                MinimalAcl.create(root, role, user, user + "-pw", "role-worker");
            }
            MinimalAcl.create(root, MinimalAcl.Role.WORKER, "tether-worker-2", "tether-worker-2-pw", "role-worker-2");
            return MinimalAcl.majorVersion(root);
        }
    }

    private static boolean exists(RedisClient c, Script s) {
        var r = (List<?>) c.sendCommand(Protocol.Command.SCRIPT, "EXISTS", s.sha());
        return Long.valueOf(1).equals(r.getFirst());
    }

    private static CliRun cli(RealRedis server, String user, String... args) throws Exception {
        return CliRun.of(Map.of(RedisSettings.ENV, uri(server, user)), args);
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void eachProcessAsItsRoleRunsARunFromSubmitToHistory(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            users(server);
            // before the admin step, a role below admin cannot load the scripts: one line tells the operator what to do
            var early = cli(server, "tether-submitter", "submit", "welcome-email", "--queue", "roles");
            assertThat(early.exit()).as(early.err()).isEqualTo(4);
            assertThat(early.err()).isEqualTo("tether: Tether's Redis script submit.lua is not loaded and this Redis user may not load it: "
                    + "run 'tether redis setup' as the Redis admin user (docs/redis-protocol.md, roles)");
            String older = RunIds.next(); // a run as a Tether older than the run ids index wrote it: the admin step indexes it
            try (var root = server.admin()) {
                assertThat(root.exists("tether:runs:active")).as("the refused submit left nothing behind").isFalse();
                root.sadd("tether:runs:active", older);
            }

            var setup = cli(server, "tether-admin", "redis", "setup", "--finished-cap", "500");
            assertThat(setup.exit()).as(setup.err()).isZero();
            assertThat(setup.out().lines()).hasSize(Script.all().size()).contains("submit.lua " + Script.SUBMIT.sha());
            try (var root = server.admin()) {
                assertThat(root.zscore("tether:runs:ids", "f:" + older)).as("indexed by the admin step").isZero();
                root.srem("tether:runs:active", older);
            }

            try (var worker = WorkerProcess.start(uri(server, "tether-worker"), "role-worker", "roles", 1);
                 var console = RedisView.live(RedisSettings.parse(uri(server, "tether-observer")), GraphCatalog.load(null), Routing.none())) {
                var submitted = cli(server, "tether-submitter", "submit", "welcome-email", "--queue", "roles");
                assertThat(submitted.exit()).as(submitted.err()).isZero();
                var id = submitted.out().strip();
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> console.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);

                var list = cli(server, "tether-observer", "list", "--all");
                assertThat(list.exit()).as(list.err()).isZero();
                assertThat(list.out()).contains(id.substring(id.length() - 8));
                var status = cli(server, "tether-observer", "status", id);
                assertThat(status.exit()).as(status.err()).isZero();
                assertThat(status.out()).contains("COMPLETED");
                var byShortId = cli(server, "tether-observer", "status", id.substring(id.length() - 8)); // through the run ids index
                assertThat(byShortId.exit()).as(byShortId.err()).isZero();
                assertThat(byShortId.out()).contains("COMPLETED");

                // a submitter cancels a run no worker takes yet: recorded, and the worker that takes it never starts it
                var queued = cli(server, "tether-submitter", "submit", "welcome-email", "--queue", "roles-later");
                assertThat(queued.exit()).as(queued.err()).isZero();
                var later = queued.out().strip();
                var cancel = cli(server, "tether-submitter", "cancel", later);
                assertThat(cancel.exit()).as(cancel.err()).isZero();
                try (var root = server.admin()) {
                    assertThat(root.pttl("tether:cancel:" + later)).as("kept however long the run waits").isEqualTo(-1L);
                }
                try (var second = WorkerProcess.start(uri(server, "tether-worker-2"), "role-worker-2", "roles-later", 1)) {
                    await().atMost(Hang.ACROSS_PROCESSES).until(() -> console.registry().get(later).map(RunSnapshot::status).orElse(null) == RunStatus.CANCELLED);
                    assertThat(console.registry().get(later).orElseThrow().startedAt()).isNull();
                    try (var root = server.admin()) {
                        assertThat(root.pttl("tether:cancel:" + later)).as("the usual hour once a worker saw it").isBetween(1L, 3_600_000L);
                    }
                    assertThat(second.output()).doesNotContain("NOPERM").doesNotContain("not loaded");
                }
                assertThat(worker.output()).doesNotContain("NOPERM").doesNotContain("not loaded").doesNotContain("tether-worker-pw");
            }
        }
    }

    /** A run as its worker (role-worker) writes it once started. */
    private static RunSnapshot running() {
        var queued = RunStateMachine.apply(null, new RunRequest(RunIds.next(), "welcome-email", "roles",
                Map.of(), Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null).submitted());
        return RunStateMachine.apply(queued, new RunEvent.Started(queued.runId(), "role-worker", Instant.now()));
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aSubmitterCancelsARunningRunInOneCommandAndAnObserverCannot(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            int major = users(server);
            var keys = Keys.standard();
            var running = running();
            try (var admin = as(server, "tether-admin"); var root = server.admin()) {
                RedisSetup.run(admin, keys, null);
                new RunStore(root, keys, Duration.ofDays(1), 10_000).put(running); // as its worker wrote it
            }
            try (var observer = as(server, "tether-observer")) {
                var id = running.runId();
                assertThatThrownBy(() -> new RunStore(observer, keys, Duration.ofDays(1), 10_000)
                        .cancel(id, CancelRequest.DEFAULT, new CancelRequests(observer, keys)))
                        .isInstanceOf(JedisAccessControlException.class);
            }
            try (var submitter = as(server, "tether-submitter"); var monitor = Monitor.of(server, submitter)) {
                var stop = new RunStore(submitter, keys, Duration.ofDays(1), 10_000)
                        .cancel(running.runId(), CancelRequest.DEFAULT, new CancelRequests(submitter, keys));
                assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLING);
                assertThat(monitor.commandsSent()).as("its role runs cancel.lua").containsExactly("EVALSHA " + Script.CANCEL.sha());
            }
            try (var root = server.admin()) {
                assertThat(root.get(keys.cancel(running.runId()))).isEqualTo("cancel - interrupt");
            }

            // the submitter's rules as written before cancel.lua existed: the same cancel, in two round trips
            var older = new ArrayList<>(List.of("SETUSER"));
            for (var w : MinimalAcl.setUser(MinimalAcl.Role.SUBMITTER, major, "older-submitter", "older-submitter-pw")) {
                older.add(w.replace("+evalsha|" + Script.CANCEL.sha(), "").replace("  ", " ").replace("( ", "("));
            }
            var secondRun = running();
            try (var root = server.admin()) {
                root.sendCommand(Protocol.Command.ACL, older.toArray(String[]::new));
                new RunStore(root, keys, Duration.ofDays(1), 10_000).put(secondRun);
            }
            try (var submitter = as(server, "older-submitter"); var cancels = Published.on(server, keys.cancels())) {
                assertThatThrownBy(() -> submitter.evalsha(Script.CANCEL.sha(), List.of(keys.run(secondRun.runId()), keys.cancel(secondRun.runId())),
                        List.of("cancel", "1000", keys.cancels(), secondRun.runId()))).as("its rules name no cancel.lua").isInstanceOf(JedisAccessControlException.class);
                var stop = new RunStore(submitter, keys, Duration.ofDays(1), 10_000)
                        .cancel(secondRun.runId(), CancelRequest.DEFAULT, new CancelRequests(submitter, keys));
                assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLING);
                assertThat(cancels.next()).isEqualTo(secondRun.runId() + " cancel - interrupt");
            }
            try (var root = server.admin()) {
                assertThat(root.get(keys.cancel(secondRun.runId()))).isEqualTo("cancel - interrupt");
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void noRoleBelowAdminRunsLuaOfItsOwnOrAScriptNotItsRoles(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            int major = users(server);
            String foreign;
            try (var admin = as(server, "tether-admin")) {
                RedisSetup.run(admin, Keys.standard(), null);
                assertThat(exists(admin, Script.SUBMIT)).isTrue();
                foreign = admin.scriptLoad("return 1"); // in the cache, but named by no role's ACL
            }
            for (var user : List.of("tether-worker", "tether-submitter", "tether-observer")) {
                try (var c = as(server, user)) {
                    assertThatThrownBy(() -> c.scriptLoad("while true do end")).as(user).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> c.eval("return 1")).as(user).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> c.evalsha(foreign)).as(user).isInstanceOf(JedisAccessControlException.class);
                    if (major >= 7) {
                        assertThatThrownBy(() -> c.functionLoad("#!lua name=x\nredis.register_function('x', function() return 1 end)"))
                                .as(user).isInstanceOf(JedisAccessControlException.class);
                    }
                }
            }
            var keys = List.of("tether:run:r1", "tether:runs:active", "tether:runs:finished", "tether:events");
            var args = List.of("1", "1", "{}", "r1", "0", "60000", "10", "w");
            try (var submitter = as(server, "tether-submitter"); var observer = as(server, "tether-observer")) {
                for (var s : List.of(Script.WRITE, Script.FINISH, Script.UPDATE, Script.CLAIM, Script.SETTLE, Script.BEAT, Script.CHECKPOINT, Script.PUMP)) {
                    assertThatThrownBy(() -> submitter.evalsha(s.sha(), keys, args)).as("submitter " + s).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> observer.evalsha(s.sha(), keys, args)).as("observer " + s).isInstanceOf(JedisAccessControlException.class);
                }
                assertThatThrownBy(() -> observer.evalsha(Script.SUBMIT.sha(), keys, args)).isInstanceOf(JedisAccessControlException.class);
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void anObserverReadsAndIsRefusedEveryWrite(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            users(server);
            try (var admin = as(server, "tether-admin")) {
                RedisSetup.run(admin, Keys.standard(), null);
            }
            var queued = cli(server, "tether-submitter", "submit", "welcome-email", "--queue", "nobody");
            assertThat(queued.exit()).as(queued.err()).isZero();
            var id = queued.out().strip();

            var submit = cli(server, "tether-observer", "submit", "welcome-email", "--queue", "nobody");
            assertThat(submit.exit()).as(submit.err()).isNotZero();
            assertThat(submit.err()).startsWith("tether: ").contains("NOPERM");
            var cancel = cli(server, "tether-observer", "cancel", id);
            assertThat(cancel.exit()).as(cancel.err()).isNotZero();
            assertThat(cancel.err()).startsWith("tether: ").contains("NOPERM");
            try (var observer = as(server, "tether-observer"); var root = server.admin()) {
                assertThat(observer.hget("tether:run:" + id, "j")).contains("\"QUEUED\"");
                for (var write : List.<Runnable>of(
                        () -> observer.hset("tether:run:" + id, "t", "1"),
                        () -> observer.set("tether:cancel:" + id, "kill"),
                        () -> observer.del("tether:run:" + id),
                        () -> observer.xadd("tether:q:nobody", redis.clients.jedis.StreamEntryID.NEW_ENTRY, Map.of("id", "x")),
                        () -> observer.publish("tether:cancels", id),
                        () -> observer.zremrangeByRank("tether:runs:finished", 0, -1),
                        () -> observer.zadd("tether:runs:ids", 0, "f:" + id),
                        () -> observer.zrem("tether:runs:ids", "f:" + id),
                        () -> observer.hset("tether:config", "finished-cap", "0"))) {
                    assertThatThrownBy(write::run).isInstanceOf(JedisAccessControlException.class);
                }
                assertThat(root.xlen("tether:q:nobody")).isEqualTo(1); // the submitter's job, nothing from the observer
                assertThat(root.exists("tether:cancel:" + id)).isFalse();
            }
            // its console view works, and leaves settling to the workers
            try (var view = RedisView.live(RedisSettings.parse(uri(server, "tether-observer")), GraphCatalog.load(null), Routing.none())) {
                assertThat(view.registry().get(id).map(RunSnapshot::status)).contains(RunStatus.QUEUED);
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aSubmitterCreatesOnlyNewQueuedRunsAndCannotForgeAnEndOrPinAVersion(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            int major = users(server);
            try (var admin = as(server, "tether-admin")) {
                RedisSetup.run(admin, Keys.standard(), null);
            }
            var queued = cli(server, "tether-submitter", "submit", "welcome-email", "--queue", "nobody");
            assertThat(queued.exit()).as(queued.err()).isZero();
            var id = queued.out().strip();
            var run = "tether:run:" + id;
            try (var submitter = as(server, "tether-submitter"); var root = server.admin()) {
                var stored = root.hgetAll(run);
                var keys = List.of("tether:run:forged", "tether:runs:active", "tether:runs:finished", "tether:events", "tether:q:nobody");
                // through the submit script: only a fresh QUEUED record at version 1, of no worker
                var completed = stored.get("j").replace("\"QUEUED\"", "\"COMPLETED\"").replace(id, "forged");
                var queuedForged = stored.get("j").replace(id, "forged");
                assertThat(submitter.evalsha(Script.SUBMIT.sha(), keys, List.of("1", "1", completed, "forged", "0", "0", "0", "", "id", "forged")))
                        .isEqualTo(-2L);
                assertThat(submitter.evalsha(Script.SUBMIT.sha(), keys,
                        List.of(Long.toString(Long.MAX_VALUE), "0", queuedForged, "forged", "0", "0", "0", "", "id", "forged"))).isEqualTo(-2L);
                assertThat(submitter.evalsha(Script.SUBMIT.sha(), keys, List.of("1", "0", queuedForged, "forged", "0", "0", "0", "w1", "id", "forged")))
                        .isEqualTo(-2L);
                assertThat(root.exists("tether:run:forged")).isFalse();
                // a submit of an existing run changes nothing
                assertThat(submitter.evalsha(Script.SUBMIT.sha(), List.of(run, "tether:runs:active", "tether:runs:finished", "tether:events", "tether:q:nobody"),
                        List.of("1", "0", stored.get("j"), id, "0", "0", "0", "", "id", id))).isEqualTo(0L);
                // HSETNX never overwrites the stored state
                assertThat(submitter.hsetnx(run, "t", "1")).isZero();
                assertThat(submitter.hsetnx(run, "v", Long.toString(Long.MAX_VALUE))).isZero();
                if (major >= 7) { // key permissions and selectors: no raw overwrite, expiry or deletion of a run
                    assertThatThrownBy(() -> submitter.hset(run, "t", "1")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.hset(run, "v", Long.toString(Long.MAX_VALUE))).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.pexpire(run, 1)).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.del(run)).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.set(run, "x")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.hset("tether:config", "finished-cap", "0")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.del("tether:worker:w1")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> submitter.zremrangeByRank("tether:runs:finished", 0, -1)).isInstanceOf(JedisAccessControlException.class);
                }
                assertThat(root.hgetAll(run)).isEqualTo(stored);
                // the run ids index: a submitter's runs are in it (its script adds them), and it removes no entry
                assertThat(root.zscore("tether:runs:ids", "f:" + id)).isZero();
                assertThatThrownBy(() -> submitter.zrem("tether:runs:ids", "f:" + id)).isInstanceOf(JedisAccessControlException.class);
                if (major >= 7) {
                    assertThatThrownBy(() -> submitter.zadd("tether:runs:finished", 0, id)).isInstanceOf(JedisAccessControlException.class);
                }
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void retentionIsTheAdminsConfigurationNotAWritersArgument(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            int major = users(server);
            var setup = cli(server, "tether-admin", "redis", "setup", "--finished-cap", "2");
            assertThat(setup.exit()).as(setup.err()).isZero();
            try (var worker = as(server, "tether-worker"); var root = server.admin()) {
                for (var id : List.of("a", "b", "c")) { // each asks for a cap of 0 (the index emptied) and is not heard
                    assertThat(worker.evalsha(Script.WRITE.sha(), List.of("tether:run:" + id, "tether:runs:active", "tether:runs:finished", "tether:events", "tether:runs:ids"),
                            List.of("1", "1", "{}", id, "100", "60000", "0", "w1"))).isEqualTo(1L);
                }
                assertThat(root.zrange("tether:runs:finished", 0, -1)).containsExactly("b", "c");
                if (major >= 7) {
                    assertThatThrownBy(() -> worker.hset("tether:config", "finished-cap", "0")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> worker.del("tether:config")).isInstanceOf(JedisAccessControlException.class);
                }
                assertThat(root.hget("tether:config", "finished-cap")).isEqualTo("2");
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void noRoleBelowTheWorkersOwnUserCanDeleteAWorkersHeartbeat(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            int major = users(server);
            try (var admin = as(server, "tether-admin")) {
                RedisSetup.run(admin, Keys.standard(), null);
            }
            var beatKeys = List.of("tether:worker:role-worker-2", "tether:workers");
            try (var worker = as(server, "tether-worker"); var other = as(server, "tether-worker-2");
                 var submitter = as(server, "tether-submitter"); var observer = as(server, "tether-observer"); var root = server.admin()) {
                // role-worker-2 beats (its own user), and every other user tries to make its heartbeat go away
                assertThat(other.evalsha(Script.BEAT.sha(), beatKeys, List.of("{}", "60000", "role-worker-2", "join"))).isEqualTo(1L);
                // Redis 6.2 cannot keep a submitter's SET and DEL (its cancel and rollback records) off other keys
                var theirs = major >= 7 ? List.of(submitter, observer) : List.of(observer);
                for (var c : theirs) {
                    assertThatThrownBy(() -> c.del("tether:worker:role-worker-2")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> c.pexpire("tether:worker:role-worker-2", 1)).isInstanceOf(JedisAccessControlException.class);
                }
                for (var c : List.of(submitter, observer)) {
                    assertThatThrownBy(() -> c.evalsha(Script.SETTLE.sha(), List.of("tether:worker:role-worker-2", "tether:workers", "tether:worker:role-worker-2:runs",
                            "tether:runs:active", "tether:runs:finished", "tether:events", "tether:worker:role-worker-2:policy"),
                            List.of("{}", "role-worker-2"))).isInstanceOf(JedisAccessControlException.class);
                }
                if (major >= 7) { // a worker's user is made for its own name: another worker's heartbeat is out of its reach
                    assertThatThrownBy(() -> worker.del("tether:worker:role-worker-2")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> worker.set("tether:worker:role-worker-2", "{}")).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> worker.pexpire("tether:worker:role-worker-2", 1)).isInstanceOf(JedisAccessControlException.class);
                    assertThatThrownBy(() -> worker.evalsha(Script.BEAT.sha(), beatKeys, List.of("{}", "1", "role-worker-2", "beat")))
                            .isInstanceOf(JedisDataException.class);
                    assertThat(worker.evalsha(Script.BEAT.sha(), List.of("tether:worker:role-worker", "tether:workers"),
                            List.of("{}", "60000", "role-worker", "join"))).isEqualTo(1L);
                }
                assertThat(root.get("tether:worker:role-worker-2")).isEqualTo("{}");
                assertThat(root.pttl("tether:worker:role-worker-2")).isGreaterThan(1_000L);
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aWorkersScriptsWriteOnlyTheRunsItHolds(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            users(server);
            try (var admin = as(server, "tether-admin")) {
                RedisSetup.run(admin, Keys.standard(), null);
            }
            var run = List.of("tether:run:held", "tether:runs:active", "tether:runs:finished", "tether:events", "tether:runs:ids");
            try (var holder = as(server, "tether-worker"); var other = as(server, "tether-worker-2"); var root = server.admin()) {
                root.hset("tether:run:held", Map.of("v", "3", "t", "0", "w", "role-worker", "j", "{\"status\":\"RUNNING\"}"));
                var stored = root.hgetAll("tether:run:held");
                // another worker, naming itself, can neither end it nor pin its version
                assertThat(other.evalsha(Script.WRITE.sha(), run, List.of("4", "1", "{}", "held", "0", "60000", "10", "role-worker-2"))).isEqualTo(-3L);
                assertThat(other.evalsha(Script.WRITE.sha(), run, List.of(Long.toString(Long.MAX_VALUE), "0", "{}", "held", "0", "60000", "10", "role-worker-2")))
                        .isEqualTo(-3L);
                var update = new ArrayList<>(List.of("3"));
                update.addAll(List.of("4", "1", "{}", "held", "0", "60000", "10", "role-worker-2"));
                assertThat(other.evalsha(Script.UPDATE.sha(), run, update)).isEqualTo(-3L);
                var finish = new ArrayList<>(run.subList(0, 4));
                finish.addAll(List.of("tether:q:x", "tether:worker:role-worker-2:runs", "tether:rollback:held", "tether:cp:held", "tether:cp:held:bytes", "tether:workers",
                        "tether:runs:ids"));
                assertThat(other.evalsha(Script.FINISH.sha(), finish, List.of("4", "1", "{}", "held", "0", "60000", "10", "role-worker-2",
                        "workers", "", "1", "tether:", "0", "0"))).isEqualTo(-3L);
                assertThat(root.hgetAll("tether:run:held")).isEqualTo(stored);
                // its own worker can
                assertThat(holder.evalsha(Script.WRITE.sha(), run, List.of("4", "1", "{}", "held", "0", "60000", "10", "role-worker"))).isEqualTo(1L);
                assertThat(root.hget("tether:run:held", "t")).isEqualTo("1");
            }
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void onlyTheAdminLoadsScriptsAndAWorkerWithoutThemStopsWithOneLine(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary)) {
            users(server);
            var asWorker = cli(server, "tether-worker", "redis", "setup");
            assertThat(asWorker.exit()).as(asWorker.err()).isEqualTo(1);
            assertThat(asWorker.err()).startsWith("tether: Tether's Redis script ").endsWith("run 'tether redis setup' as the Redis admin user (docs/redis-protocol.md, roles)");
            var worker = cli(server, "tether-worker", "worker", "--name", "role-worker", "--queues", "roles");
            assertThat(worker.exit()).as(worker.err()).isEqualTo(1);
            assertThat(worker.err()).isEqualTo("tether: Tether's Redis script settle.lua is not loaded and this Redis user may not load it: "
                    + "run 'tether redis setup' as the Redis admin user (docs/redis-protocol.md, roles)");
            try (var root = server.admin()) {
                assertThat(exists(root, Script.WRITE)).isFalse();
            }
            assertThatThrownBy(() -> {
                try (var observer = as(server, "tether-observer")) {
                    observer.hset("tether:config", "finished-cap", "5");
                }
            }).isInstanceOf(JedisDataException.class);
        }
    }
}
