package dev.tether.soak;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.control.InProcessControlClient;
import dev.tether.json.Json;
import dev.tether.redis.RedisSettings;
import dev.tether.redis.RedisView;
import dev.tether.redis.Routing;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak of the distributed mode: a real redis-server, two real {@code tether worker} processes
 * (launcher, witness graph as a plugin), and a view in this JVM submitting and cancelling as the
 * console would. Faults, repeated: SIGKILL of a worker, Redis killed and restarted with its data and
 * without, connection-kill storms, SCRIPT FLUSH, stalls (DEBUG SLEEP, SIGSTOP). Then every run is
 * accounted for in the view and in Redis, nothing is left pending in Redis, and nothing grew.
 */
final class RedisSoak {
    static final int WORKERS = 2;
    static final int SLOTS = 4;

    private final SoakConfig config;

    RedisSoak(SoakConfig config) {
        this.config = config;
    }

    void run() throws Exception {
        var t0 = System.nanoTime();
        var report = new SoakReport(config, Instant.now(), ProcFs.loadAverage());
        var random = new Random(config.seed());
        var ledger = new Ledger();
        try (var home = SoakHome.create(config.mode());
             var redis = SoakRedis.start(home.dir(), home.mark());
             var workers = new WorkerSet(home, redis.uri(), WORKERS, SLOTS).start();
             var view = RedisView.live(RedisSettings.parse(redis.uri()), catalog(), Routing.none())) {
            var soak = new SoakRun(config, ledger, home.nodeLog());
            var sampler = new ResourceSampler().with(ResourceSampler.self())
                    .with(ResourceSampler.jvms("worker", () -> workerPids(workers)))
                    .with(ResourceSampler.processes(home.mark()))
                    .with(ResourceSampler.redis(redis));
            try (var watch = soak.watch()) {
                var mix = LoadGenerator.standardMix(home.nodeLog(), 2);
                WarmUp.run(() -> new InProcessControlClient(view), ledger, mix);
                var censusBefore = ThreadCensus.of(workerPids(workers));
                var idleBefore = sampler.sampleNow(true);
                sampler.start();
                var storm = Duration.ofSeconds(config.isLong() ? 6 : 3);
                List<Fault> faults = List.of(new KillWorkerFault(workers), new RedisRestartFault(redis, true), new RedisRestartFault(redis, false),
                        new ConnectionKillStorm(redis, storm), new ScriptFlushFault(redis), new RedisStallFault(redis));
                var schedule = new FaultSchedule(faults, random, Duration.ofMillis(config.isLong() ? 3_000 : 500),
                        Duration.ofMillis(config.isLong() ? 9_000 : 1_500));
                var load = new LoadGenerator(config, random, () -> new InProcessControlClient(view), ledger, mix);
                SoakRun.log("redis: load for " + config.load().toSeconds() + " s, faults " + faults.stream().map(Fault::kind).toList()
                        + ", redis-server " + redis.majorVersion() + ".x");
                soak.loadAndFaults(load, schedule);
                var settled = soak.settle(() -> active(view, redis));
                SoakRun.log("redis: load over; runs settled in " + settled.toMillis() + " ms");
                Thread.sleep(4_000); // heartbeats of killed workers expire (2.5 s) and the sweep settles them

                var runs = new LinkedHashMap<String, RunSnapshot>();
                for (var r : view.registry().all()) runs.put(r.runId(), r);
                var emptyRestarts = schedule.injected().stream().filter(f -> f.kind().equals("redis-restart-empty") && f.error() == null)
                        .map(FaultSchedule.Injected::start).toList();
                var ids = new HashSet<>(runs.keySet());
                ids.addAll(ledger.runIds());
                var inRedis = recordsInRedis(redis, ids);
                var viewSees = Map.copyOf(runs);
                inRedis.forEach(runs::putIfAbsent); // a long soak has more finished runs than the view keeps in memory
                var accountant = new Accountant(runs, ledger, home.nodeLog())
                        .checkEveryRunEnded().checkLedgerAgrees(Set.of()).checkExecutions().checkCancelsBeforeStart()
                        .checkRollbacksHold().checkStopKinds(true)
                        .checkEndsExplained(r -> unexplained(r, schedule, emptyRestarts));
                viewAgreesWithRedis(viewSees, inRedis, emptyRestarts).forEach(accountant::violation);
                load.unexpectedErrors().forEach(e -> accountant.violation("unexpected answer: " + e));
                schedule.injected().stream().filter(i -> i.error() != null)
                        .forEach(i -> accountant.violation("fault " + i.kind() + " could not be injected: " + i.error()));

                var completed = runs.values().stream().filter(r -> r.status() == RunStatus.COMPLETED).map(RunSnapshot::runId).collect(Collectors.toSet());
                RedisLeftovers leftovers;
                try (var admin = redis.admin()) {
                    leftovers = new RedisLeftovers(admin).checkSettled(Set.copyOf(workers.liveNames()), completed,
                            id -> runs.containsKey(id) ? Accountant.describe(runs.get(id)) : id);
                }
                var idleAfter = sampler.sampleNow(true);
                sampler.close();

                var leaks = new ArrayList<>(leftovers.problems());
                var verdicts = Growth.judge(sampler.samples());
                verdicts.stream().filter(Growth.Verdict::grew).forEach(v -> leaks.add("grew: " + v));
                EmbeddedSoak.compare(leaks, "worker threads (" + ThreadCensus.diff(censusBefore, ThreadCensus.of(workerPids(workers))) + ")",
                        EmbeddedSoak.role(idleBefore, "worker", "threads"),
                        EmbeddedSoak.role(idleAfter, "worker", "threads"), 6);
                EmbeddedSoak.compare(leaks, "worker fds", EmbeddedSoak.role(idleBefore, "worker", "fds"),
                        EmbeddedSoak.role(idleAfter, "worker", "fds"), 12);
                EmbeddedSoak.compare(leaks, "processes", EmbeddedSoak.role(idleBefore, "processes", "processes"),
                        EmbeddedSoak.role(idleAfter, "processes", "processes"), 0);
                var live = workers.live();
                long served = runs.values().stream().filter(r -> r.startedAt() != null && live.stream()
                        .anyMatch(w -> w.name.equals(r.worker()) && r.startedAt().isAfter(w.startedAt))).count();
                var heapLine = EmbeddedSoak.heapAtIdle("worker", idleBefore, idleAfter, served, leaks);

                workers.stop();
                try (var admin = redis.admin()) {
                    leaks.addAll(new RedisLeftovers(admin).checkWorkersGone().problems());
                }
                for (long pid : ProcFs.marked(home.mark())) {
                    if (pid != redis.pid()) leaks.add("process " + pid + " outlived its worker: "
                            + ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?"));
                }

                report.runs(runs.values(), ledger);
                report.faults(schedule);
                report.cancels(ledger, runs.values());
                report.line("workers started " + workers.started() + " times; Redis keys at the end by kind: " + leftovers.keysByKind()
                        + "; watch stalls: " + watch.stalls());
                report.line(heapLine);
                report.resources(sampler.samples(), verdicts, leaks);
                report.violations(accountant.violations());
                report.files(home.dir());
                report.took(Duration.ofNanos(System.nanoTime() - t0), ProcFs.loadAverage());
                report.publish(config.mode());

                assertThat(accountant.violations()).as("broken promises (see the report above)").isEmpty();
                assertThat(leaks).as("leaks (see the report above)").isEmpty();
                assertThat(faults.stream().map(Fault::kind)).as("every fault kind was injected")
                        .allSatisfy(kind -> assertThat(schedule.byKind().get(kind)).as(kind).isPositive());
            } finally {
                sampler.close();
            }
        }
    }

    private static List<Long> workerPids(WorkerSet workers) {
        return workers.live().stream().map(SoakWorker::pid).toList();
    }

    private static GraphCatalog catalog() {
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new SoakGraph());
        return GraphCatalog.of(graphs);
    }

    /** Runs active in the view or in Redis's index of active runs. */
    private static Set<String> active(RedisView view, SoakRedis redis) {
        var ids = new HashSet<String>();
        for (var r : view.registry().active()) ids.add(r.runId());
        try (var admin = redis.admin()) {
            ids.addAll(admin.smembers("tether:runs:active"));
        }
        return ids;
    }

    private static Map<String, RunSnapshot> recordsInRedis(SoakRedis redis, Set<String> ids) throws Exception {
        var out = new LinkedHashMap<String, RunSnapshot>();
        try (var admin = redis.admin()) {
            for (var id : ids) {
                var json = admin.hget("tether:run:" + id, "j");
                if (json != null) out.put(id, Json.mapper().readValue(json, RunSnapshot.class));
            }
        }
        return out;
    }

    /** The view and Redis agree on every run; a run Redis lacks was lost with its data (an empty restart after its submit). */
    private static List<String> viewAgreesWithRedis(Map<String, RunSnapshot> view, Map<String, RunSnapshot> redis, List<Instant> emptyRestarts) {
        var out = new ArrayList<String>();
        for (var r : view.values()) {
            var stored = redis.get(r.runId());
            if (stored == null) {
                boolean wiped = emptyRestarts.stream().anyMatch(t -> t.isAfter(r.submittedAt()));
                if (!wiped) out.add("not in Redis, though Redis never lost its data since: " + Accountant.describe(r));
            } else if (stored.status() != r.status()) {
                out.add("the view says " + r.status() + ", Redis " + stored.status() + ": " + Accountant.describe(r));
            }
        }
        return out;
    }

    private static final Pattern KILLED_WORKER = Pattern.compile("SIGKILL worker (\\S+) ");

    /** LOST: its worker was killed, or Redis lost its record; FAILED: never explained here. */
    private static String unexplained(RunSnapshot r, FaultSchedule schedule, List<Instant> emptyRestarts) {
        if (r.status() == RunStatus.LOST) {
            var killed = new HashSet<String>();
            for (var f : schedule.injected()) {
                if (f.detail() == null) continue;
                var m = KILLED_WORKER.matcher(f.detail());
                if (m.find()) killed.add(m.group(1));
            }
            if (killed.contains(r.worker())) return null;
            if (emptyRestarts.stream().anyMatch(t -> t.isAfter(r.submittedAt()))) return null;
            return "LOST, though its worker was not killed and Redis kept its data";
        }
        return "FAILED, and no fault explains it";
    }
}
