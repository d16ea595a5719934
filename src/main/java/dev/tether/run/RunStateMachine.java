package dev.tether.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides how a run changes. Pure and stateless: given the current snapshot (or
 * null for an unknown run) and an event, it returns the next snapshot, or null when the event is
 * not allowed in that state. Terminal states accept nothing.
 *
 * <pre>
 *   QUEUED ──started──▶ RUNNING ──completed──▶ COMPLETED
 *     │ └──rejected (failed)──┴──failed──────▶ FAILED
 *     │ cancel            │ cancel
 *     │ max-queued        │ max-runtime, max-node-time, max-steps (a policy's cancel)
 *     ▼                   ▼
 *  CANCELLED ◀─cancelled─ CANCELLING ──grace over──▶ STUCK
 *                         (completed / failed still possible: the run may finish first)
 *   any active ──lost──▶ LOST
 *   QUEUED ──waiting (a concurrency limit; the reason is kept)──▶ QUEUED
 * </pre>
 *
 * A run stopped by its policy is CANCELLED (or STUCK) like one a person stopped, through the same
 * ladder; its {@code cancelOrigin} (DEADLINE, NODE_DEADLINE, STEP_LIMIT, EXPIRED) and
 * {@code cancelReason} (the limit) say why. "Timed out" is not a state of its own: it would need
 * its own forced and stuck variants, and every view and filter already reads the origin. A max-queued
 * stop applies only to a run still QUEUED. A retry is a new run (a new attempt) whose {@code retry}
 * and {@code resumeOf} name the attempt it follows; the attempt it follows stays as it ended.
 */
public final class RunStateMachine {

    /** Timeline entries kept per run; older node spans are dropped first. */
    static final int MAX_TIMELINE = 256;

    private RunStateMachine() {}

    public static RunSnapshot apply(RunSnapshot cur, RunEvent event) {
        if (cur == null) {
            return event instanceof RunEvent.Submitted s
                    ? new RunSnapshot(s.runId(), s.graphId(), s.queue(), null, RunStatus.QUEUED, null, 0, s.at(),
                    null, null, null, null, null, s.input(), List.of(), 1, false, null, null, s.resumeOf(), null, s.policy(), s.retry(), null)
                    : null;
        }
        if (!cur.runId().equals(event.runId()) || cur.status().isTerminal()) return null;
        var st = cur.status();
        return switch (event) {
            case RunEvent.Submitted s -> null;
            case RunEvent.Waiting w -> st == RunStatus.QUEUED && !java.util.Objects.equals(w.reason(), cur.waiting())
                    ? cur.with(st, cur.worker(), null, 0, null, null, null, null, null, cur.timeline()).waitingFor(w.reason())
                    : null;
            case RunEvent.Started s -> st == RunStatus.QUEUED
                    ? cur.with(RunStatus.RUNNING, s.worker(), null, 0, s.at(), null, null, null, null, cur.timeline()).waitingFor(null)
                    : null;
            case RunEvent.NodeStarted n -> running(st)
                    ? cur.with(st, cur.worker(), n.node(), cur.steps(), cur.startedAt(), null, cur.cancelRequestedAt(),
                    null, null, append(cur.timeline(), new NodeSpan(n.node(), n.at(), null, NodeSpan.Outcome.RUNNING)))
                    : null;
            case RunEvent.NodeFinished n -> running(st)
                    ? cur.with(st, cur.worker(), cur.currentNode(), cur.steps() + (n.ok() ? 1 : 0), cur.startedAt(),
                    null, cur.cancelRequestedAt(), null, null, finishSpan(cur.timeline(), n, st))
                    : null;
            // max-queued stops only a run that has not started: one that started meanwhile is not its business.
            case RunEvent.CancelRequested c when c.origin() == CancelOrigin.EXPIRED && st != RunStatus.QUEUED -> null;
            case RunEvent.CancelRequested c -> switch (st) {
                // A queued run never starts: it is cancelled on the spot.
                case QUEUED -> cur.with(RunStatus.CANCELLED, cur.worker(), null, 0, null, c.at(), c.at(), null,
                        null, cur.timeline()).stopAskedBy(c.stopLevel(), c.origin(), c.reason()).waitingFor(null);
                case RUNNING -> cur.with(RunStatus.CANCELLING, cur.worker(), cur.currentNode(), cur.steps(),
                        cur.startedAt(), null, c.at(), null, null, cur.timeline()).stopAskedBy(c.stopLevel(), c.origin(), c.reason());
                // Already cancelling: only an escalation is news (the level used, and who asked for it).
                case CANCELLING -> c.stopLevel() != null && c.stopLevel().strongerThan(cur.stopLevel())
                        ? cur.with(st, cur.worker(), cur.currentNode(), cur.steps(), cur.startedAt(), null,
                        cur.cancelRequestedAt(), null, null, cur.timeline()).stopAskedBy(c.stopLevel(), c.origin(), c.reason())
                        : null;
                default -> null;
            };
            case RunEvent.Cancelled c -> st == RunStatus.CANCELLING ? cancelled(cur, c) : null;
            case RunEvent.Completed c -> running(st)
                    ? cur.with(RunStatus.COMPLETED, cur.worker(), cur.currentNode(), cur.steps(), cur.startedAt(),
                    c.at(), cur.cancelRequestedAt(), null, null, cur.timeline())
                    : null;
            // A queued run can fail too: rejected before it started (a malformed job, no worker has its graph).
            case RunEvent.Failed f -> running(st) || st == RunStatus.QUEUED
                    ? cur.with(RunStatus.FAILED, cur.worker(), cur.currentNode(), cur.steps(), cur.startedAt(),
                    f.at(), cur.cancelRequestedAt(), null, f.error(), closeOpenSpans(cur.timeline(), f.at()))
                    : null;
            case RunEvent.Stuck s -> st == RunStatus.CANCELLING
                    ? cur.with(RunStatus.STUCK, cur.worker(), cur.currentNode(), cur.steps(), cur.startedAt(),
                    s.at(), cur.cancelRequestedAt(), null, null, cur.timeline())
                    : null;
            case RunEvent.Lost l -> cur.with(RunStatus.LOST, cur.worker(), cur.currentNode(), cur.steps(),
                    cur.startedAt(), l.at(), cur.cancelRequestedAt(), null,
                    new ErrorInfo("lost", l.reason(), ""), closeOpenSpans(cur.timeline(), l.at()));
        };
    }

    private static RunSnapshot cancelled(RunSnapshot cur, RunEvent.Cancelled c) {
        var next = cur.with(RunStatus.CANCELLED, cur.worker(), cur.currentNode(), cur.steps(), cur.startedAt(),
                c.at(), cur.cancelRequestedAt(), c.atNode(), null, closeOpenSpans(cur.timeline(), c.at()));
        return c.forced() ? next.forcedStop() : next;
    }

    private static boolean running(RunStatus st) {
        return st == RunStatus.RUNNING || st == RunStatus.CANCELLING;
    }

    private static List<NodeSpan> append(List<NodeSpan> timeline, NodeSpan span) {
        var from = timeline.size() >= MAX_TIMELINE ? timeline.size() - MAX_TIMELINE + 1 : 0;
        var next = new ArrayList<NodeSpan>(timeline.size() - from + 1);
        next.addAll(timeline.subList(from, timeline.size()));
        next.add(span);
        return List.copyOf(next);
    }

    private static List<NodeSpan> finishSpan(List<NodeSpan> timeline, RunEvent.NodeFinished n, RunStatus st) {
        for (int i = timeline.size() - 1; i >= 0; i--) {
            var span = timeline.get(i);
            if (span.endedAt() == null && span.node().equals(n.node())) {
                var how = n.ok() ? NodeSpan.Outcome.DONE
                        : st == RunStatus.CANCELLING ? NodeSpan.Outcome.CANCELLED : NodeSpan.Outcome.FAILED;
                var next = new ArrayList<>(timeline);
                next.set(i, span.finish(n.at(), how));
                return List.copyOf(next);
            }
        }
        return timeline;
    }

    private static List<NodeSpan> closeOpenSpans(List<NodeSpan> timeline, java.time.Instant at) {
        if (timeline.stream().allMatch(s -> s.endedAt() != null)) return timeline;
        return timeline.stream()
                .map(s -> s.endedAt() == null ? s.finish(at, NodeSpan.Outcome.CANCELLED) : s)
                .toList();
    }
}
