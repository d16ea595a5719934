package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A Redis that requires a password: the right one works, a wrong one is a clear error (CLI exit 4), never echoed. */
@org.junit.jupiter.api.Tag("process")
class RedisAuthTest {
    static RealRedis server;

    @BeforeAll
    static void start() throws Exception {
        server = RealRedis.start("requirepass s3cret-pw");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static String uri(String password) {
        return "redis://:" + password + "@127.0.0.1:" + server.port;
    }

    @Test
    void workersAndClientsWithThePasswordRunAndCancel() throws Exception {
        try (var worker = WorkerProcess.start(uri("s3cret-pw"), "auth-worker", "secured", 1);
             var client = RedisView.live(RedisSettings.parse(uri("s3cret-pw")), GraphCatalog.load(null), Routing.none())) {
            var id = client.submit("welcome-email", "secured", Map.of()).runId();
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(id).orElseThrow().status() == RunStatus.COMPLETED);
            assertThat(client.mode()).isEqualTo("redis://127.0.0.1:" + server.port).doesNotContain("s3cret");
            assertThat(worker.output()).doesNotContain("s3cret-pw");
        }
    }

    @Test
    void theDocumentedLeastPrivilegeUserRunsWorkersViewsAndTheCommandLine() throws Exception {
        try (var admin = redis.clients.jedis.RedisClient.builder().hostAndPort("127.0.0.1", server.port)
                .clientConfig(redis.clients.jedis.DefaultJedisClientConfig.builder().password("s3cret-pw").build()).build()) {
            MinimalAcl.create(admin, "ops", "ops-pw");
        }
        var uri = "redis://ops:ops-pw@127.0.0.1:" + server.port;
        try (var worker = WorkerProcess.start(uri, "acl-worker", "acl", 1);
             var client = RedisView.live(RedisSettings.parse(uri), GraphCatalog.load(null), Routing.none())) {
            var done = client.submit("welcome-email", "acl", Map.of()).runId();
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(done).orElseThrow().status() == RunStatus.COMPLETED);
            // the history's reads (ZREVRANGEBYSCORE, and ZREM of expired members) are in the documented ACL
            assertThat(client.history(dev.tether.history.HistoryQuery.newest(10)).runs()).extracting(RunSnapshot::runId).contains(done);
            var queued = client.submit("welcome-email", "acl-nobody", Map.of()).runId();
            assertThat(client.cancel(queued)).isEqualTo(dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START);
            var running = client.submit("book-workflow", "acl", Map.of("nodeMillis", 60_000)).runId();
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(running).orElseThrow().status() == RunStatus.RUNNING);
            var cli = CliRun.of(Map.of(RedisSettings.ENV, uri), "cancel", running, "--wait", "--timeout", "10s");
            assertThat(cli.exit()).as(cli.err()).isZero();
            assertThat(CliRun.of(Map.of(RedisSettings.ENV, uri), "list").exit()).isZero();
            assertThat(client.mode()).isEqualTo("redis://ops@127.0.0.1:" + server.port);
            assertThat(worker.output()).doesNotContain("NOPERM").doesNotContain("ops-pw");
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorThatNeverShowsThePassword() {
        assertThatThrownBy(() -> RedisView.live(RedisSettings.parse(uri("wrong-pw")), GraphCatalog.load(null), Routing.none()))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessage("cannot use Redis at redis://127.0.0.1:" + server.port + ": it refused the credentials (wrong user or password)");
    }

    @Test
    void theCommandLineExits4OnAWrongPasswordOrNoRedis() throws Exception {
        var wrong = CliRun.of(Map.of(), "list", "--redis", uri("wrong-pw"));
        assertThat(wrong.exit()).isEqualTo(4);
        assertThat(wrong.err()).startsWith("tether: cannot use Redis at redis://127.0.0.1:").doesNotContain("wrong-pw");

        var nobody = CliRun.of(Map.of(), "list", "--redis", "redis://:pw@127.0.0.1:1");
        assertThat(nobody.exit()).isEqualTo(4);
        assertThat(nobody.err()).isEqualTo("tether: cannot use Redis at redis://127.0.0.1:1: it does not answer (JedisConnectionException)");
    }
}
