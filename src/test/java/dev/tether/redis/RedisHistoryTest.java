package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryQuery;
import dev.tether.history.UnreadableRecord;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Redis mode's history against a real redis-server: finished runs as their workers' scripts record them, paged. */
@Tag("process")
class RedisHistoryTest {
    static RealRedis server;
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    final RunRegistry made = new RunRegistry();

    @BeforeAll
    static void startRedis() throws Exception {
        server = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    private RunSnapshot finished(String graph, Instant end, boolean fail) {
        var id = RunIds.next();
        made.apply(new RunEvent.Submitted(id, graph, "q", Map.of(), end.minusSeconds(2)));
        made.apply(new RunEvent.Started(id, "w1", end.minusSeconds(1)));
        return made.apply(fail ? new RunEvent.Failed(id, new dev.tether.run.ErrorInfo("E", "boom", ""), end) : new RunEvent.Completed(id, end)).after();
    }

    @Test
    void finishedRunsArePagedNewestFirstFilteredAndExpiredOnesLeaveTheIndex() throws Exception {
        var prefix = "hist" + System.nanoTime();
        var uri = server.uri() + "?prefix=" + prefix;
        var keys = RedisSettings.parse(uri).keys();
        var store = new RunStore(server.admin(), keys, Duration.ofDays(1), 10_000);
        var expiring = new RunStore(server.admin(), keys, Duration.ofMillis(50), 10_000);
        var written = new ArrayList<RunSnapshot>();
        for (int i = 0; i < 45; i++) {
            var r = finished(i % 3 == 0 ? "alpha" : "beta", T0.plusSeconds(i / 2), i % 5 == 0); // two runs share each second
            store.put(r);
            written.add(r);
        }
        var gone = finished("alpha", T0.plusSeconds(100), false);
        expiring.put(gone);
        var garbage = finished("beta", T0.plusSeconds(99), false);
        store.put(garbage);
        server.admin().hset(keys.run(garbage.runId()), "j", "{\"runId\": \"trunc");
        Thread.sleep(200); // gone's record expires

        try (var view = RedisView.oneShot(RedisSettings.parse(uri), GraphCatalog.load(null), Routing.none())) {
            var seen = new ArrayList<RunSnapshot>();
            var q = HistoryQuery.newest(10);
            while (true) {
                var page = view.history(q);
                seen.addAll(page.runs());
                if (page.next() == null) break;
                q = q.after(HistoryCursor.parse(page.next()));
            }
            assertThat(seen.getFirst().runId()).isEqualTo(garbage.runId());
            assertThat(UnreadableRecord.is(seen.getFirst())).isTrue();
            var expected = written.stream().sorted(dev.tether.history.InMemoryHistory.NEWEST_FIRST).map(RunSnapshot::runId).toList();
            assertThat(seen.subList(1, seen.size())).extracting(RunSnapshot::runId).isEqualTo(expected);
            assertThat(server.admin().zscore(keys.finished(), gone.runId())).as("expired: pruned from the index").isNull();

            var failedAlpha = view.history(new HistoryQuery("alpha", Set.of(RunStatus.FAILED), null, null, 50, null)).runs();
            assertThat(failedAlpha).extracting(RunSnapshot::runId).isEqualTo(written.stream()
                    .filter(r -> r.graphId().equals("alpha") && r.status() == RunStatus.FAILED)
                    .sorted(dev.tether.history.InMemoryHistory.NEWEST_FIRST).map(RunSnapshot::runId).toList());
            var window = view.history(new HistoryQuery(null, Set.of(), T0.plusSeconds(5), T0.plusSeconds(7), 50, null)).runs();
            assertThat(window).hasSize(4).allSatisfy(r -> assertThat(r.endedAt()).isBetween(T0.plusSeconds(5), T0.plusSeconds(6)));
        }
    }

    @Test
    void theCommandLinePagesTheHistoryOfRedis() throws Exception {
        var prefix = "cli" + System.nanoTime();
        var uri = server.uri() + "?prefix=" + prefix;
        var store = new RunStore(server.admin(), RedisSettings.parse(uri).keys(), Duration.ofDays(1), 10_000);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            var r = finished("alpha", T0.plusSeconds(i), false);
            store.put(r);
            ids.add(0, r.runId());
        }
        var json = dev.tether.json.Json.mapper().readTree(tether("list", "--all", "--limit", "2", "--json", "--redis", uri));
        var page = new ArrayList<String>();
        json.path("runs").forEach(r -> page.add(r.path("runId").asText()));
        assertThat(page).isEqualTo(ids.subList(0, 2));
        var second = dev.tether.json.Json.mapper().readTree(tether("list", "--all", "--json", "--redis", uri, "--cursor", json.path("next").asText()));
        assertThat(second.path("runs").get(0).path("runId").asText()).isEqualTo(ids.get(2));
        assertThat(second.path("next").isNull()).isTrue();
        var human = tether("list", "--all", "--limit", "1", "--redis", uri);
        assertThat(human).contains(ids.get(0).substring(28)).contains("Older runs: tether list --all --limit 1 --redis URI --cursor ");
    }

    /** The command line in a child JVM (this class path, logs off); its output (exit 0 required). */
    private static String tether(String... args) throws Exception {
        var javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.tether.cli.Main"));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_LOG_LEVEL", "OFF");
        pb.environment().remove(RedisSettings.ENV);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

}
