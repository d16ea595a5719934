package dev.tether.soak;

import dev.tether.run.CancelMode;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * At the end, accounts for every run: the system's final state of each (every run it knows) against
 * what the load was told (the {@link Ledger}) and what really executed (the {@link NodeLog}). Each
 * broken promise is one line in {@link #violations()}; the test fails unless there are none.
 *
 * <ul>
 *   <li>every run ended: none QUEUED, RUNNING or CANCELLING for ever;</li>
 *   <li>every run the load was given an id for is known, and every run known was asked for (a run
 *       the load never heard of is allowed only where a submit lost its answer);</li>
 *   <li>each run started each node at most once; a run cancelled before it started ran none; a resume
 *       ran only nodes after the checkpoint it continued from; a completed run ran each of its
 *       nodes once;</li>
 *   <li>a run cancelled in rollback mode was never resumed after the rollback was answered;</li>
 *   <li>STUCK only where a thread cannot be forced (thread mode), forced kills only where a process
 *       can be (process mode);</li>
 *   <li>LOST only for runs whose owner really died (the caller says which ends are explained).</li>
 * </ul>
 */
final class Accountant {
    /** Says whether a run's LOST or FAILED end is explained by a fault that was injected; null if so, else why not. */
    interface Explainer {
        String unexplained(RunSnapshot run);
    }

    private final Map<String, RunSnapshot> runs;
    private final Ledger ledger;
    private final Map<String, List<NodeLog.NodeStart>> executed;
    private final List<String> violations = new ArrayList<>();

    Accountant(Map<String, RunSnapshot> runs, Ledger ledger, NodeLog log) {
        this.runs = Map.copyOf(runs);
        this.ledger = ledger;
        this.executed = log.byRun();
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    void violation(String text) {
        violations.add(text);
    }

    Accountant checkEveryRunEnded() {
        for (var r : runs.values()) {
            if (!r.isTerminal()) {
                violation("never ended: " + describe(r));
            }
        }
        return this;
    }

    /** @param missingExplained ids the system may have lost as a whole (Redis restarted without its data) */
    Accountant checkLedgerAgrees(Set<String> missingExplained) {
        for (var id : ledger.runIds()) {
            if (!runs.containsKey(id) && !missingExplained.contains(id)) violation("the system has no run " + id + " it answered a request with");
        }
        long strangers = runs.keySet().stream().filter(id -> !ledger.runs().containsKey(id)).count();
        if (strangers > ledger.uncertainSubmits()) {
            violation(strangers + " runs nobody was told about, but only " + ledger.uncertainSubmits() + " submits lost their answer: "
                    + runs.keySet().stream().filter(id -> !ledger.runs().containsKey(id)).limit(10).toList());
        }
        return this;
    }

    Accountant checkExecutions() {
        for (var e : executed.entrySet()) {
            var run = runs.get(e.getKey());
            if (run == null) {
                violation("executed but unknown to the system: run " + e.getKey() + " " + e.getValue());
                continue;
            }
            var perNode = e.getValue().stream().collect(Collectors.groupingBy(NodeLog.NodeStart::node, TreeMap::new, Collectors.toList()));
            perNode.forEach((node, starts) -> {
                if (starts.size() > 1) violation("node " + node + " started " + starts.size() + " times in run " + describe(run) + ": " + starts);
            });
            if (run.startedAt() == null) violation("ran nodes " + perNode.keySet() + " though it never started: " + describe(run));
            if (run.resumeOf() != null && run.resumeOf().node() != null) {
                int after = SoakGraph.NODES.indexOf(run.resumeOf().node());
                for (var node : perNode.keySet()) {
                    if (SoakGraph.NODES.indexOf(node) <= after) {
                        violation("resume " + describe(run) + " after " + run.resumeOf().node() + " ran " + node + " again");
                    }
                }
            }
        }
        for (var run : runs.values()) {
            if (!SoakGraph.ID.equals(run.graphId()) || run.status() != RunStatus.COMPLETED) continue;
            int after = run.resumeOf() == null || run.resumeOf().node() == null ? -1 : SoakGraph.NODES.indexOf(run.resumeOf().node());
            var ran = executed.getOrDefault(run.runId(), List.of()).stream().map(NodeLog.NodeStart::node).collect(Collectors.toSet());
            var expected = Set.copyOf(SoakGraph.NODES.subList(after + 1, SoakGraph.NODES.size()));
            if (!ran.equals(expected)) violation("completed, but ran " + new TreeMap<>(count(run.runId())) + " instead of " + expected + ": " + describe(run));
        }
        return this;
    }

    private Map<String, Long> count(String runId) {
        return executed.getOrDefault(runId, List.of()).stream().collect(Collectors.groupingBy(NodeLog.NodeStart::node, Collectors.counting()));
    }

    Accountant checkCancelsBeforeStart() {
        for (var c : ledger.cancels()) {
            if (c.outcome() != CancelOutcome.CANCELLED_BEFORE_START) continue;
            var run = runs.get(c.runId());
            if (run == null) continue;
            if (run.status() != RunStatus.CANCELLED || run.startedAt() != null || executed.containsKey(c.runId())) {
                violation("cancelled before start, yet " + describe(run) + " ran " + count(c.runId()));
            }
        }
        return this;
    }

    Accountant checkRollbacksHold() {
        var rollbacks = new HashMap<String, Long>();
        for (var c : ledger.cancels()) {
            if (c.mode() == CancelMode.ROLLBACK && c.outcome() != null && c.outcome() != CancelOutcome.UNKNOWN_RUN) {
                rollbacks.merge(c.runId(), c.answeredMillis(), Math::min);
            }
        }
        for (var r : ledger.resumes()) {
            var rolledBackAt = rollbacks.get(r.of());
            if (rolledBackAt != null && r.newRunId() != null && r.atMillis() > rolledBackAt) {
                violation("resumed as " + r.newRunId() + " after its rollback was answered: run " + r.of());
            }
        }
        return this;
    }

    /** @param threads whether runs execute on threads (STUCK possible, forced impossible) or in processes (the reverse) */
    Accountant checkStopKinds(boolean threads) {
        for (var r : runs.values()) {
            if (threads && r.forced()) violation("forced in thread mode: " + describe(r));
            if (!threads && r.status() == RunStatus.STUCK) violation("STUCK in process isolation (should have been killed): " + describe(r));
            if (r.status() == RunStatus.STUCK && !"stubborn".equals(r.graphId())) violation("STUCK though its graph stops when told: " + describe(r));
        }
        return this;
    }

    Accountant checkEndsExplained(Explainer explainer) {
        for (var r : runs.values()) {
            if (r.status() != RunStatus.LOST && r.status() != RunStatus.FAILED) continue;
            var why = explainer.unexplained(r);
            if (why != null) violation(why + ": " + describe(r));
        }
        return this;
    }

    static String describe(RunSnapshot r) {
        return r.runId() + " (" + r.graphId() + ", " + r.status() + ", worker " + r.worker() + ", node " + r.currentNode()
                + ", submitted " + r.submittedAt() + ", started " + r.startedAt() + ", ended " + r.endedAt()
                + (r.cancelRequestedAt() != null ? ", cancel " + r.stopLevel() + " at " + r.cancelRequestedAt() : "")
                + (r.error() != null ? ", error " + r.error().type() + ": " + r.error().message() : "")
                + (r.resumeOf() != null ? ", resumes " + r.resumeOf().runId() + " after " + r.resumeOf().node() : "") + ")";
    }
}
