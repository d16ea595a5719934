package dev.tether.soak;

import dev.tether.control.ControlClient;
import dev.tether.control.ControlException;
import dev.tether.history.HistoryQuery;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak of the embedded engine behind {@code tether serve} (real launcher processes), with runs
 * on threads or in child JVMs: steady mixed load, repeated kills of serve (reaped at once, or left
 * a zombie for a while), a full disk under {@code tether.db}, and in process isolation kills of
 * child JVMs. Then every run is accounted for from the durable history (which outlives every serve),
 * and nothing may have grown.
 */
final class EmbeddedSoak {
    private static final Set<RunStatus> ACTIVE = EnumSet.of(RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING);

    private final SoakConfig config;
    private final boolean processIsolation;
    private final int concurrency;

    EmbeddedSoak(SoakConfig config, boolean processIsolation, int concurrency) {
        this.config = config;
        this.processIsolation = processIsolation;
        this.concurrency = concurrency;
    }

    void run() throws Exception {
        var t0 = System.nanoTime();
        var started = Instant.now();
        var report = new SoakReport(config, started, ProcFs.loadAverage());
        var random = new Random(config.seed());
        var ledger = new Ledger();
        try (var home = SoakHome.create(config.mode()).withStoreDisk()) {
            var args = new ArrayList<>(List.of("--concurrency", Integer.toString(concurrency), "--cancel-grace", "2s",
                    "--shutdown-timeout", "20s"));
            if (processIsolation) args.addAll(List.of("--isolation", "process"));
            var host = new ServeHost(home, args);
            var soak = new SoakRun(config, ledger, home.nodeLog());
            var sampler = new ResourceSampler().with(ResourceSampler.self())
                    .with(ResourceSampler.jvms("serve", host::ownerPids))
                    .with(ResourceSampler.processes(home.mark()));
            try (host; var watch = soak.watch()) {
                host.start();
                awaitWarm(host);
                var mix = LoadGenerator.standardMix(home.nodeLog(), processIsolation ? 4 : 2);
                WarmUp.run(host::client, ledger, mix);
                var censusBefore = ThreadCensus.of(host.ownerPids());
                var idleBefore = sampler.sampleNow(true);
                sampler.start();

                var faults = new ArrayList<Fault>(List.of(new KillServeFault(host), new ZombieOwnerFault(host, hold(config)),
                        new DiskFullFault(home.disk(), host, hold(config))));
                if (processIsolation) faults.add(new KillChildJvmFault(host));
                var schedule = new FaultSchedule(faults, random, gap(config, 1), gap(config, 3));
                var load = new LoadGenerator(config, random, host::client, ledger, mix);
                SoakRun.log(config.mode() + ": load for " + config.load().toSeconds() + " s, faults " + faults.stream().map(Fault::kind).toList()
                        + ", store disk: " + home.disk().how());
                soak.loadAndFaults(load, schedule);
                var settled = soak.settle(() -> activeRuns(host).stream().map(RunSnapshot::runId).collect(java.util.stream.Collectors.toSet()));
                SoakRun.log(config.mode() + ": load over; runs settled in " + settled.toMillis() + " ms");

                var runs = allRuns(host);
                var disagreements = statusAgreesWithHistory(host, runs.values());
                Thread.sleep(2_000); // pools shrink back, the last history writes land
                var idleAfter = sampler.sampleNow(true);
                sampler.close();

                var killedServes = killedServePids(schedule);
                var accountant = new Accountant(runs, ledger, home.nodeLog())
                        .checkEveryRunEnded().checkLedgerAgrees(Set.of()).checkExecutions().checkCancelsBeforeStart()
                        .checkRollbacksHold().checkStopKinds(!processIsolation)
                        .checkEndsExplained(r -> unexplained(r, killedServes, schedule));
                disagreements.forEach(accountant::violation);
                load.unexpectedErrors().forEach(e -> accountant.violation("unexpected answer: " + e));
                schedule.injected().stream().filter(i -> i.error() != null)
                        .forEach(i -> accountant.violation("fault " + i.kind() + " could not be injected: " + i.error()));

                var leaks = new ArrayList<String>();
                var verdicts = Growth.judge(sampler.samples());
                verdicts.stream().filter(Growth.Verdict::grew).forEach(v -> leaks.add("grew: " + v));
                leaks.addAll(idleComparison(idleBefore, idleAfter, ThreadCensus.diff(censusBefore, ThreadCensus.of(host.ownerPids()))));
                var finalStart = host.current().startedAt();
                long served = runs.values().stream().filter(r -> r.startedAt() != null && r.startedAt().isAfter(finalStart)).count();
                var heapLine = heapAtIdle("serve", idleBefore, idleAfter, served, leaks);

                host.stop();
                leaks.addAll(leftoverProcesses(home));

                report.runs(runs.values(), ledger);
                report.faults(schedule);
                report.cancels(ledger, runs.values());
                report.line("serve started " + host.started() + " times; store disk: " + home.disk().how() + "; watch stalls: " + watch.stalls());
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

    /** The pause between faults: shorter in the minute-long soak, so each kind still comes up. */
    private static Duration gap(SoakConfig config, int factor) {
        return Duration.ofMillis((config.isLong() ? 3_000L : 800L) * factor);
    }

    /** How long a zombie or a full disk lasts. */
    private static Duration hold(SoakConfig config) {
        return Duration.ofSeconds(config.isLong() ? 5 : 2);
    }

    /** In process isolation, until the warm pool is there (the idle reading counts its children). */
    private void awaitWarm(ServeHost host) throws InterruptedException {
        if (!processIsolation) return;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (host.current().childJvms().size() < concurrency && System.nanoTime() < deadline) Thread.sleep(100);
    }

    private static List<RunSnapshot> activeRuns(ServeHost host) {
        try (ControlClient c = host.client()) {
            var out = new ArrayList<RunSnapshot>();
            var q = new HistoryQuery(null, ACTIVE, null, null, HistoryQuery.MAX_LIMIT, null);
            while (true) {
                var page = c.history(q);
                out.addAll(page.runs());
                if (page.next() == null) return out;
                q = q.after(page.nextCursor());
            }
        }
    }

    /** Every run the durable history holds, by id. */
    private static Map<String, RunSnapshot> allRuns(ServeHost host) {
        var out = new LinkedHashMap<String, RunSnapshot>();
        try (ControlClient c = host.client()) {
            var q = HistoryQuery.newest(HistoryQuery.MAX_LIMIT);
            while (true) {
                var page = c.history(q);
                for (var r : page.runs()) out.put(r.runId(), r);
                if (page.next() == null) return out;
                q = q.after(page.nextCursor());
            }
        }
    }

    /**
     * {@code tether status} and {@code tether list --all} must agree on every run. Disagreements are
     * grouped (what status said, what the history says) with a few examples each.
     */
    private static List<String> statusAgreesWithHistory(ServeHost host, java.util.Collection<RunSnapshot> runs) {
        var groups = new java.util.TreeMap<String, List<String>>();
        try (ControlClient c = host.client()) {
            for (var r : runs) {
                String said;
                try {
                    var one = c.get(r.runId());
                    if (one.status() == r.status()) continue;
                    said = one.status().name();
                } catch (ControlException e) {
                    said = e.kind() + " (" + e.getMessage().replace(r.runId(), "RUN") + ")";
                }
                groups.computeIfAbsent("status says " + said + ", the history " + r.status(), k -> new ArrayList<>()).add(r.runId());
            }
        }
        var out = new ArrayList<String>();
        groups.forEach((what, ids) -> out.add(what + ": " + ids.size() + " runs, e.g. " + ids.subList(0, Math.min(3, ids.size()))));
        return out;
    }

    private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");

    private static Set<Long> killedServePids(FaultSchedule schedule) {
        var out = new HashSet<Long>();
        var m = Pattern.compile("SIGKILL serve (\\d+)");
        for (var f : schedule.injected()) {
            if (f.detail() == null) continue;
            var matcher = m.matcher(f.detail());
            if (matcher.find()) out.add(Long.parseLong(matcher.group(1)));
        }
        return out;
    }

    /** A LOST run must name a serve that was killed; a FAILED one, in process isolation, a killed child. */
    private String unexplained(RunSnapshot r, Set<Long> killedServes, FaultSchedule schedule) {
        var message = r.error() == null ? "" : String.valueOf(r.error().message());
        if (r.status() == RunStatus.LOST) {
            var m = PID.matcher(message);
            if (m.find() && killedServes.contains(Long.parseLong(m.group(1)))) return null;
            return "LOST, though its owner was not killed";
        }
        boolean childKills = schedule.injected().stream().anyMatch(f -> f.kind().equals("kill-child-jvm"));
        if (processIsolation && childKills && message.contains("exit code")) return null;
        // a resume copies its checkpoints first: on a full disk it cannot, and fails saying why
        boolean storeFailure = r.error() != null && String.valueOf(r.error().type()).endsWith("StoreException");
        if (r.resumeOf() != null && storeFailure && during(schedule, "disk-full", r.startedAt())) return null;
        return "FAILED, and no fault explains it";
    }

    /** Whether {@code at} fell within an injection of {@code kind} (or the second after it). */
    private static boolean during(FaultSchedule schedule, String kind, Instant at) {
        if (at == null) return false;
        return schedule.injected().stream().anyMatch(f -> f.kind().equals(kind) && !at.isBefore(f.start())
                && at.isBefore(f.start().plus(f.took()).plusSeconds(1)));
    }

    /** An idle serve after the soak against an idle serve before it (same configuration): no more threads, files, processes. */
    private List<String> idleComparison(List<ResourceSampler.Sample> before, List<ResourceSampler.Sample> after, String threadDiff) {
        var out = new ArrayList<String>();
        compare(out, "serve threads (" + threadDiff + ")", role(before, "serve", "threads"), role(after, "serve", "threads"), 4);
        compare(out, "serve fds", role(before, "serve", "fds"), role(after, "serve", "fds"), 8);
        compare(out, "processes", role(before, "processes", "processes"), role(after, "processes", "processes"), 0);
        compare(out, "zombies", 0, role(after, "zombies", "zombies"), 0);
        return out;
    }

    /**
     * The live heap (after a full GC) of the idle owners at the end against the idle owners at the
     * start: it may grow by what the owners keep of each run they served by design (the registry
     * keeps finished runs' snapshots, a few KiB each, up to its bound), and no more.
     */
    static String heapAtIdle(String role, List<ResourceSampler.Sample> before, List<ResourceSampler.Sample> after, long runsServed,
                             List<String> leaks) {
        long b = role(before, role, "heap");
        long a = role(after, role, "heap");
        long allowed = HEAP_SLACK_KIB + runsServed * HEAP_PER_RUN_KIB;
        var line = role + " live heap idle: " + b + " KiB before the soak, " + a + " KiB after it, whose owners served " + runsServed
                + " runs (allowed +" + allowed + " KiB)";
        if (b > 0 && a > b + allowed) leaks.add(line);
        return line;
    }

    static final long HEAP_SLACK_KIB = 6 * 1024;
    static final long HEAP_PER_RUN_KIB = 24;

    static long role(List<ResourceSampler.Sample> samples, String role, String metric) {
        return samples.stream().filter(s -> s.series().startsWith(role) && s.metric().equals(metric))
                .mapToLong(ResourceSampler.Sample::value).sum();
    }

    static void compare(List<String> out, String what, long before, long after, long slack) {
        if (after > before + slack) out.add(what + ": " + before + " idle before the soak, " + after + " idle after it (allowed +" + slack + ")");
    }

    /** After the last serve stopped: nothing the soak started is left (child JVMs, orphans), no zombie. */
    private static List<String> leftoverProcesses(SoakHome home) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Long> left = ProcFs.marked(home.mark());
        while (!left.isEmpty() && System.nanoTime() < deadline) { // children see their parent gone within 2 s
            Thread.sleep(200);
            left = ProcFs.marked(home.mark());
        }
        var out = new ArrayList<String>();
        for (long pid : left) {
            out.add("process " + pid + " outlived the soak: " + ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?"));
        }
        return out;
    }
}
