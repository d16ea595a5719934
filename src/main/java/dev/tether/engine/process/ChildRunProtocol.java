package dev.tether.engine.process;

import dev.tether.engine.EncodedCheckpoint;
import dev.tether.logging.SafeText;
import dev.tether.run.CancelOrigin;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.StopLevel;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * What the parent accepts from a child JVM about the one run it executes, in the order the run's
 * state machine allows: node started and finished (a node finishes only after it started), its
 * checkpoints, at most one stop of its own max-steps (the one limit a child enforces), one end
 * (completed with no node still open, failed, or cancelled, never forced: only the parent forces),
 * then {@code idle} or {@code retire}. Anything else (an event for another run, a {@code submitted},
 * {@code started} or {@code lost} event, another stop, a second end, a message before or after its
 * turn) is a {@link ProtocolBreach}: the child is killed and not reused, and its run fails.
 *
 * <p>Events are rebuilt from checked fields, not passed on: the run id is this run's, names are
 * bounded and sanitised, an error's text is bounded, and times are kept between the run's start and
 * now.
 */
public final class ChildRunProtocol {
    static final int MAX_NODE = 256;
    static final int MAX_ERROR_TYPE = 256, MAX_ERROR_MESSAGE = 4_096, MAX_STACK = 64 * 1024, MAX_REASON = 300;

    /** What the parent does with an accepted message. */
    public sealed interface Accepted {}

    public record Event(RunEvent event) implements Accepted {}

    public record Checkpoint(EncodedCheckpoint checkpoint) implements Accepted {}

    /** After the end: the child cleared what its run started and takes the next run. */
    public record Idle() implements Accepted {}

    /** After the end: the child must not be reused ({@code why}). */
    public record Retire(String why) implements Accepted {}

    private final String runId;
    private final Instant startedAt;
    private final Set<String> open = new HashSet<>();
    private boolean ended;
    private boolean stepLimitAsked;

    public ChildRunProtocol(String runId, Instant startedAt) {
        this.runId = runId;
        this.startedAt = startedAt;
    }

    public boolean ended() {
        return ended;
    }

    public Accepted accept(ChildMessage m) throws ProtocolBreach {
        var op = m.op();
        if (ended) {
            return switch (op) {
                case ChildMessage.IDLE -> new Idle();
                case ChildMessage.RETIRE -> new Retire(SafeText.line(m.detail() == null ? "no reason given" : m.detail(), 300));
                default -> throw new ProtocolBreach("'" + op + "' after its run ended (only idle or retire may follow)");
            };
        }
        return switch (op) {
            case ChildMessage.EVENT -> new Event(event(m));
            case ChildMessage.CHECKPOINT -> new Checkpoint(checkpoint(m));
            default -> throw new ProtocolBreach("'" + op + "' while its run " + runId + " was executing");
        };
    }

    private RunEvent event(ChildMessage m) throws ProtocolBreach {
        var e = m.event();
        if (e == null) throw new ProtocolBreach("an event message without an event");
        if (!runId.equals(m.runId()) || !runId.equals(e.runId())) {
            throw new ProtocolBreach("an event for run " + e.runId() + " while it executes run " + runId);
        }
        var at = clamp(e.at());
        return switch (e) {
            case RunEvent.NodeStarted n -> {
                var node = node(n.node());
                open.add(node);
                yield new RunEvent.NodeStarted(runId, node, at);
            }
            case RunEvent.NodeFinished n -> {
                var node = node(n.node());
                if (!open.remove(node)) throw new ProtocolBreach("node '" + node + "' finished without having started");
                yield new RunEvent.NodeFinished(runId, node, n.ok(), at);
            }
            case RunEvent.Completed c -> {
                if (!open.isEmpty()) throw new ProtocolBreach("its run completed while node " + open.iterator().next() + " was still running");
                ended = true;
                yield new RunEvent.Completed(runId, at);
            }
            case RunEvent.Failed f -> {
                ended = true;
                yield new RunEvent.Failed(runId, error(f.error()), at);
            }
            case RunEvent.Cancelled c -> {
                if (c.forced()) throw new ProtocolBreach("a forced cancel (only the parent forces a run)");
                ended = true;
                yield new RunEvent.Cancelled(runId, c.atNode() == null ? null : node(c.atNode()), at);
            }
            case RunEvent.CancelRequested c when c.origin() == CancelOrigin.STEP_LIMIT && !stepLimitAsked -> {
                // The one stop a child asks for itself: its max-steps, the only limit it is given, at a node boundary.
                stepLimitAsked = true;
                yield new RunEvent.CancelRequested(runId, at, StopLevel.AFTER_NODE, CancelOrigin.STEP_LIMIT,
                        c.reason() == null ? null : SafeText.line(c.reason(), MAX_REASON));
            }
            default -> throw new ProtocolBreach("a '" + e.getClass().getSimpleName() + "' event, which no child may send");
        };
    }

    private EncodedCheckpoint checkpoint(ChildMessage m) throws ProtocolBreach {
        if (!runId.equals(m.runId())) throw new ProtocolBreach("a checkpoint for run " + m.runId() + " while it executes run " + runId);
        if (m.checkpoint() == null) throw new ProtocolBreach("a checkpoint message without a checkpoint");
        try {
            return m.checkpoint().encoded();
        } catch (IllegalArgumentException e) {
            throw new ProtocolBreach("a damaged checkpoint: " + e.getMessage());
        }
    }

    private static String node(String node) throws ProtocolBreach {
        if (node == null || node.isEmpty() || node.length() > MAX_NODE) throw new ProtocolBreach("a node without a proper name");
        for (int i = 0; i < node.length(); i++) {
            if (SafeText.unsafe(node.charAt(i))) throw new ProtocolBreach("a node name with control characters: " + node);
        }
        return node;
    }

    private static ErrorInfo error(ErrorInfo e) {
        if (e == null) return new ErrorInfo("UnknownError", "the child gave no reason", "");
        return new ErrorInfo(SafeText.line(String.valueOf(e.type()), MAX_ERROR_TYPE), SafeText.line(String.valueOf(e.message()), MAX_ERROR_MESSAGE),
                e.stackTrace() == null ? "" : SafeText.lines(e.stackTrace(), MAX_STACK));
    }

    private Instant clamp(Instant at) {
        var now = Instant.now();
        if (at == null || at.isAfter(now)) return now;
        return at.isBefore(startedAt) ? startedAt : at;
    }
}
