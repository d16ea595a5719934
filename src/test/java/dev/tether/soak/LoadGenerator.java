package dev.tether.soak;

import dev.tether.control.ControlClient;
import dev.tether.control.ControlException;
import dev.tether.run.CancelMode;
import dev.tether.run.StopLevel;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunSnapshot;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The steady load: a mix of graphs submitted at a fixed rate; random cancels of some of them at
 * every stop level and in both modes, at random moments (queued, mid-node, after the end), some
 * escalated by a second cancel; a cancel-all now and then; resumes of runs that ended without
 * completing. Everything the system answers goes into the {@link Ledger}; a request that gets no
 * answer (the owner is down, Redis stalls) is counted, never retried.
 */
final class LoadGenerator implements AutoCloseable {
    /** One graph of the mix: its weight and how to make an input for it. */
    record Choice(String graph, int weight, Function<Random, Map<String, String>> input) {}

    private static final double CANCEL_SHARE = 0.35;
    private static final double ESCALATE_SHARE = 0.15;
    private static final double ROLLBACK_SHARE = 0.25;

    private final SoakConfig config;
    private final Random random;
    private final Supplier<ControlClient> clients;
    private final Ledger ledger;
    private final List<Choice> mix;
    private final int totalWeight;
    private final ScheduledExecutorService submitter = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("soak-submit").factory());
    private final java.util.concurrent.ScheduledThreadPoolExecutor actions = new java.util.concurrent.ScheduledThreadPoolExecutor(3,
            Thread.ofPlatform().daemon().name("soak-action-", 0).factory());
    /** Runs the resumer may still look at; each is tried once it has ended. */
    private final Set<String> resumeCandidates = ConcurrentHashMap.newKeySet();
    private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    LoadGenerator(SoakConfig config, Random random, Supplier<ControlClient> clients, Ledger ledger, List<Choice> mix) {
        this.config = config;
        this.random = random;
        this.clients = clients;
        this.ledger = ledger;
        this.mix = List.copyOf(mix);
        this.totalWeight = mix.stream().mapToInt(Choice::weight).sum();
    }

    /** The graphs every mode runs: the witness graph most of the time, the built-in ones beside it. */
    static List<Choice> standardMix(NodeLog log, int stubbornWeight) {
        return List.of(
                new Choice(SoakGraph.ID, 60, r -> Map.of("log", log.file.toString(), "nodeMillis", Integer.toString(20 + r.nextInt(180)))),
                new Choice("book-workflow", 12, r -> Map.of("nodeMillis", "60", "chapters", "2", "maxRevisions", "1",
                        "seed", Long.toString(r.nextInt(1_000)))),
                new Choice("welcome-email", 12, r -> Map.of()),
                new Choice("cpu-crunch", 12, r -> Map.of("millis", Integer.toString(100 + r.nextInt(300)))),
                new Choice("stubborn", stubbornWeight, r -> Map.of("seconds", "1")));
    }

    void start() {
        long periodMicros = Math.round(1_000_000 / config.submitsPerSecond());
        submitter.scheduleAtFixedRate(this::submitOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        actions.scheduleWithFixedDelay(this::resumeOne, 1_000, 700, TimeUnit.MILLISECONDS);
        scheduleCancelAll();
    }

    private void submitOne() {
        if (stopped) return;
        var choice = pick();
        Map<String, String> input;
        synchronized (random) {
            input = choice.input().apply(random);
        }
        try (var client = clients.get()) {
            var run = client.submit(choice.graph(), null, input);
            ledger.submitted(run.runId(), run.graphId(), null);
            resumeCandidates.add(run.runId());
            if (chance(CANCEL_SHARE)) scheduleCancel(run.runId(), randomInt(1_500));
        } catch (RuntimeException e) {
            unanswered("submit", e);
        }
    }

    private void scheduleCancel(String runId, long delayMillis) {
        actions.schedule(() -> {
            if (stopped) return;
            var level = pickLevel();
            var mode = chance(ROLLBACK_SHARE) ? CancelMode.ROLLBACK : CancelMode.INTERRUPT;
            cancel(runId, level, mode);
            if (chance(ESCALATE_SHARE)) { // a second cancel while the first may be under way: escalates or changes nothing
                actions.schedule(() -> {
                    if (!stopped) cancel(runId, pickLevel(), CancelMode.INTERRUPT);
                }, 100 + randomInt(700), TimeUnit.MILLISECONDS);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void cancel(String runId, StopLevel level, CancelMode mode) {
        long at = System.currentTimeMillis();
        try (var client = clients.get()) {
            var result = client.cancel(runId, new dev.tether.run.CancelRequest(level, CancelOrigin.API, mode, null));
            ledger.cancelled(runId, level, mode, at, result.outcome(), null);
        } catch (ControlException e) {
            if (e.kind() == ControlException.Kind.UNREACHABLE) {
                ledger.cancelled(runId, level, mode, at, null, "unreachable");
                unanswered("cancel", e);
            } else {
                ledger.cancelled(runId, level, mode, at, null, e.kind().name());
                if (e.kind() != ControlException.Kind.UNKNOWN_RUN) unexpected("cancel " + runId, e);
            }
        } catch (RuntimeException e) {
            ledger.cancelled(runId, level, mode, at, null, e.getClass().getSimpleName());
            unanswered("cancel", e);
        }
    }

    private void scheduleCancelAll() {
        long seconds = 6 + randomInt(7);
        actions.schedule(() -> {
            if (stopped) return;
            try (var client = clients.get()) {
                var report = client.cancelAll(dev.tether.run.CancelRequest.by(CancelOrigin.API), Duration.ZERO);
                ledger.cancelAll(report.cancelled().size());
            } catch (RuntimeException e) {
                unanswered("cancel-all", e);
            }
            scheduleCancelAll();
        }, seconds, TimeUnit.SECONDS);
    }

    private void resumeOne() {
        if (stopped || resumeCandidates.isEmpty()) return;
        String of;
        synchronized (random) {
            var list = new ArrayList<>(resumeCandidates);
            of = list.get(random.nextInt(list.size()));
        }
        var submitted = ledger.runs().get(of);
        if (submitted == null || System.currentTimeMillis() - submitted.atMillis() < 1_500) return;
        try (var client = clients.get()) {
            RunSnapshot run = status(client, of);
            if (!run.isTerminal()) return; // tried again later
            resumeCandidates.remove(of);
            if (run.status() == dev.tether.run.RunStatus.COMPLETED) return;
            String from = SoakGraph.ID.equals(run.graphId()) && chance(0.25) ? "s2" : null;
            long at = System.currentTimeMillis();
            try {
                var attempt = client.resume(of, from);
                ledger.resumed(of, at, attempt.runId(), null);
                ledger.submitted(attempt.runId(), attempt.graphId(), of);
                resumeCandidates.add(attempt.runId());
                if (chance(CANCEL_SHARE)) scheduleCancel(attempt.runId(), randomInt(1_500));
            } catch (ControlException e) {
                if (e.kind() == ControlException.Kind.NOT_RESUMABLE) ledger.resumed(of, at, null, "not-resumable");
                else throw e;
            }
        } catch (RuntimeException e) {
            unanswered("resume", e);
        }
    }

    /**
     * A run's state as {@code tether status} gives it; where status does not know a run it ran (a run of
     * an earlier serve: the accountant reports that), as its attempts list gives it, which reads the history.
     */
    private RunSnapshot status(ControlClient client, String runId) {
        try {
            return client.get(runId);
        } catch (ControlException e) {
            if (e.kind() != ControlException.Kind.UNKNOWN_RUN) throw e;
            ledger.unanswered("status (no run)", false);
            return client.attempts(runId).stream().filter(a -> a.runId().equals(runId)).findFirst().orElseThrow(() -> e);
        }
    }

    private void unanswered(String what, RuntimeException e) {
        if (e instanceof ControlException ce && ce.kind() != ControlException.Kind.UNREACHABLE) {
            unexpected(what, e);
            return;
        }
        // a request refused at connect time was never seen; anything else may have been done
        boolean maybeDone = !(e.getCause() instanceof ConnectException) && !String.valueOf(e.getMessage()).contains("is gone");
        ledger.unanswered(what, maybeDone);
    }

    private void unexpected(String what, RuntimeException e) {
        if (unexpected.size() < 50) unexpected.add(what + ": " + e);
        ledger.unanswered(what + " (" + (e instanceof ControlException ce ? ce.kind() : e.getClass().getSimpleName()) + ")", false);
    }

    /** Errors the system should not have answered with (the report lists them; the test fails on them). */
    List<String> unexpectedErrors() {
        synchronized (unexpected) {
            return List.copyOf(unexpected);
        }
    }

    private Choice pick() {
        int n = randomInt(totalWeight);
        for (var c : mix) {
            if (n < c.weight()) return c;
            n -= c.weight();
        }
        return mix.getLast();
    }

    private StopLevel pickLevel() {
        int n = randomInt(10);
        return n < 3 ? StopLevel.AFTER_NODE : n < 7 ? StopLevel.CANCEL : StopLevel.KILL;
    }

    private boolean chance(double p) {
        synchronized (random) {
            return random.nextDouble() < p;
        }
    }

    private int randomInt(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    /** Stops submitting and acting; waits for requests in flight. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        // no interrupts: a request in flight gets its answer into the ledger; delayed actions are dropped
        actions.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        submitter.shutdown();
        actions.shutdown();
        submitter.awaitTermination(60, TimeUnit.SECONDS);
        actions.awaitTermination(60, TimeUnit.SECONDS);
    }
}
