package dev.tether.run;

import java.time.Duration;
import java.time.Instant;

/** One node execution inside a run; {@code endedAt} is null while the node runs. */
public record NodeSpan(String node, Instant startedAt, Instant endedAt, Outcome outcome) {

    public NodeSpan {
        node = Shared.text(node);
    }

    public enum Outcome { RUNNING, DONE, FAILED, CANCELLED }

    public Duration duration(Instant now) {
        return Duration.between(startedAt, endedAt != null ? endedAt : now);
    }

    NodeSpan finish(Instant at, Outcome how) {
        return new NodeSpan(node, startedAt, at, how);
    }
}
