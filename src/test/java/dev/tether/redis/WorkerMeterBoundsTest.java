package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.WorkerInfo;
import dev.tether.json.Json;
import dev.tether.metrics.TagCap;
import dev.tether.metrics.TetherMetrics;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
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
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Worker names come from Redis, and the default one ({@code host-pid}) is new at every restart: a
 * live view (console, {@code serve}) must not keep a series per worker that ever lived. Workers are
 * played as the protocol has them: the beat script announces each, its runs are written by the
 * write script as a worker writes them, and it leaves as a worker exits cleanly.
 */
@Tag("process")
class WorkerMeterBoundsTest {
    static RealRedis server;
    private static final Pattern WORKER = Pattern.compile("worker=\"([^\"]*)\"");

    @BeforeAll
    static void startRedis() throws Exception {
        server = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    /** A worker that joins (as its beat script does) with a key that outlives the test: no expiry decides anything here. */
    private static void join(redis.clients.jedis.UnifiedJedis redis, Keys keys, String name) {
        var info = new WorkerInfo(name, "host", 1, List.of("email"), 1, 0, 0, Instant.now(), Instant.now(), List.of(), List.of());
        Script.BEAT.eval(redis, List.of(keys.worker(name), keys.workers()), List.of(Json.write(info), "600000", name, "join"));
    }

    /** What a worker's clean exit removes. */
    private static void leave(redis.clients.jedis.UnifiedJedis redis, Keys keys, String name) {
        redis.del(keys.worker(name), keys.workerRuns(name), keys.workerPolicy(name));
        redis.srem(keys.workers(), name);
    }

    /** One run, submitted, started on {@code worker} and completed, each state written as its writer writes it. */
    private static String runOn(RunStore store, RunRegistry made, String worker) {
        var id = RunIds.next();
        var now = Instant.now();
        store.put(made.apply(new RunEvent.Submitted(id, "welcome-email", "email", Map.of(), now)).after());
        store.put(made.apply(new RunEvent.Started(id, worker, now)).after());
        store.put(made.apply(new RunEvent.Completed(id, now)).after());
        return id;
    }

    /** The worker tag values of every series in a scrape (samples, not HELP/TYPE lines). */
    private static Set<String> workersIn(String scrape) {
        var out = new TreeSet<String>();
        for (var line : scrape.split("\n")) {
            if (line.startsWith("#")) continue;
            var m = WORKER.matcher(line);
            if (m.find()) out.add(m.group(1));
        }
        return out;
    }

    private static long series(String scrape) {
        return scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
    }

    private static double completed(String scrape) {
        double total = 0;
        for (var line : scrape.split("\n")) {
            if (line.startsWith("tether_runs_completed_total{")) total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return total;
    }

    @Test
    void aThousandWorkerRestartsLeaveTheSeriesOfTheLiveWorkersOnly() throws Exception {
        var uri = server.uri() + "?prefix=restarts" + System.nanoTime();
        var keys = RedisSettings.parse(uri).keys();
        var made = new RunRegistry();
        int waves = 20, perWave = 50;
        try (var redis = server.admin();
             var view = RedisView.live(RedisSettings.parse(uri), GraphCatalog.load(null), Routing.none());
             var metrics = TetherMetrics.of(view, Duration.ZERO)) {
            var store = new RunStore(redis, keys, Duration.ofDays(1), 10_000);
            long mostSeries = 0;
            int mostWorkers = 0;
            Long afterFirstWave = null;
            for (int wave = 0; wave < waves; wave++) {
                var names = new ArrayList<String>();
                var ids = new ArrayList<String>();
                for (int i = 0; i < perWave; i++) {
                    var name = "host-" + (wave * perWave + i);
                    names.add(name);
                    join(redis, keys, name);
                    ids.add(runOn(store, made, name));
                }
                // every run of the wave is counted under its own worker while the workers live
                Hang.eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id -> view.registry().get(id).map(r -> r.status() == RunStatus.COMPLETED).orElse(false))
                        && workersIn(metrics.scrape()).containsAll(names)
                        && view.workers().stream().map(WorkerInfo::name).toList().containsAll(names));
                var live = metrics.scrape();
                mostSeries = Math.max(mostSeries, series(live));
                mostWorkers = Math.max(mostWorkers, workersIn(live).size());
                for (var name : names) leave(redis, keys, name);
                // once the view has read the workers gone, their series go
                Hang.eventuallyAcrossProcesses().until(() -> workersIn(metrics.scrape()).stream().noneMatch(names::contains));
                if (afterFirstWave == null) afterFirstWave = series(metrics.scrape());
            }
            var end = metrics.scrape();
            System.out.printf("1,000 worker restarts: %d series at the end (%d after the first wave left), at most %d series and %d worker values while %d workers lived%n",
                    series(end), afterFirstWave, mostSeries, mostWorkers, perWave);
            assertThat(workersIn(end)).as("only the view's own worker tag is left").containsExactly("none");
            assertThat(series(end)).as("as many series after 1,000 restarts as after the first 50").isEqualTo(afterFirstWave);
            assertThat(mostWorkers).as("worker values at any time: the live workers and the view's own").isEqualTo(perWave + 1);
        }
    }

    @Test
    void pastTheCapAWorkersRunsAreCountedUnderOther() throws Exception {
        var uri = server.uri() + "?prefix=capped" + System.nanoTime();
        var keys = RedisSettings.parse(uri).keys();
        var made = new RunRegistry();
        int cap = TagCap.DEFAULT_CAPS.get("worker");
        int workers = cap + 50;
        try (var redis = server.admin();
             var view = RedisView.live(RedisSettings.parse(uri), GraphCatalog.load(null), Routing.none());
             var metrics = TetherMetrics.of(view)) {
            var store = new RunStore(redis, keys, Duration.ofDays(1), 10_000);
            var ids = new ArrayList<String>();
            for (int i = 0; i < workers; i++) {
                join(redis, keys, "live-" + i);
                ids.add(runOn(store, made, "live-" + i));
            }
            Hang.eventuallyAcrossProcesses().until(() -> completed(metrics.scrape()) == workers);
            var values = workersIn(metrics.scrape());
            assertThat(values).as("at most the cap, plus other").hasSize(cap + 1).contains(TagCap.OTHER);
            assertThat(ids).allMatch(id -> view.registry().get(id).orElseThrow().status() == RunStatus.COMPLETED);
        }
    }

    @Test
    void realWorkersRestartedCleanlyOrKilledLeaveNoSeriesBehind() throws Exception {
        var uri = server.uri() + "?prefix=real" + System.nanoTime();
        try (var view = RedisView.live(RedisSettings.parse(uri), GraphCatalog.load(null), Routing.none());
             var metrics = TetherMetrics.of(view, Duration.ZERO)) {
            for (int restart = 0; restart < 3; restart++) {
                var name = "host-" + (4242 + restart); // as the default host-pid name changes at each restart
                var worker = WorkerProcess.start(uri, name, "restarts", 1);
                try {
                    var id = view.submit("welcome-email", "restarts", Map.of()).runId();
                    Hang.eventuallyAcrossProcesses().until(() -> view.registry().get(id).map(r -> r.status() == RunStatus.COMPLETED).orElse(false)
                            && workersIn(metrics.scrape()).contains(name));
                } finally {
                    if (restart % 2 == 0) worker.close(); // a clean exit
                    else worker.kill9(); // its heartbeat expires
                }
                Hang.eventuallyAcrossProcesses().until(() -> !workersIn(metrics.scrape()).contains(name));
            }
            assertThat(workersIn(metrics.scrape())).containsExactly("none");
        }
    }
}
