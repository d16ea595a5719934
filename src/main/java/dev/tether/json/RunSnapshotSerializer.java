package dev.tether.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.tether.run.NodeSpan;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * A run's snapshot written field by field, exactly as Jackson's bean rules write the record (names,
 * order, nulls included), without their reflection. A worker writes two whole snapshots per run (its
 * claim and its end), and the bean path cost 13 % of a busy worker's CPU under the launchers' C1-only
 * JIT. Values that are rarely set or hold arbitrary data (an error, a policy, a retry, input values
 * other than text, numbers and booleans) still go through the mapper. {@code RunSnapshotSerializerTest}
 * holds every field against the bean rules, so a field added to the record and not here fails it.
 */
final class RunSnapshotSerializer extends StdSerializer<RunSnapshot> {
    // field names written pre-quoted (as the bean rules write them), not escaped again each time
    private static final SerializedString RUN_ID = name("runId"), GRAPH_ID = name("graphId"), QUEUE = name("queue"),
            WORKER = name("worker"), STATUS = name("status"), CURRENT_NODE = name("currentNode"), STEPS = name("steps"),
            SUBMITTED_AT = name("submittedAt"), STARTED_AT = name("startedAt"), ENDED_AT = name("endedAt"),
            CANCEL_REQUESTED_AT = name("cancelRequestedAt"), CANCELLED_AT_NODE = name("cancelledAtNode"), ERROR = name("error"),
            INPUT = name("input"), TIMELINE = name("timeline"), VERSION = name("version"), FORCED = name("forced"),
            STOP_LEVEL = name("stopLevel"), CANCEL_ORIGIN = name("cancelOrigin"), RESUME_OF = name("resumeOf"),
            CANCEL_REASON = name("cancelReason"), POLICY = name("policy"), RETRY = name("retry"), WAITING = name("waiting"),
            NODE = name("node"), OUTCOME = name("outcome");

    RunSnapshotSerializer() {
        super(RunSnapshot.class);
    }

    @Override
    public void serialize(RunSnapshot s, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeStartObject(s);
        // the head the Redis scripts read first (RunSnapshot's @JsonPropertyOrder), then the record's order
        text(g, RUN_ID, s.runId());
        text(g, GRAPH_ID, s.graphId());
        text(g, QUEUE, s.queue());
        text(g, WORKER, s.worker());
        text(g, STATUS, s.status() == null ? null : s.status().name());
        text(g, CURRENT_NODE, s.currentNode());
        g.writeFieldName(STEPS);
        g.writeNumber(s.steps());
        instant(g, SUBMITTED_AT, s.submittedAt());
        instant(g, STARTED_AT, s.startedAt());
        instant(g, ENDED_AT, s.endedAt());
        instant(g, CANCEL_REQUESTED_AT, s.cancelRequestedAt());
        text(g, CANCELLED_AT_NODE, s.cancelledAtNode());
        other(g, ERROR, s.error(), provider);
        input(g, s.input(), provider);
        g.writeFieldName(TIMELINE);
        g.writeStartArray();
        for (var span : s.timeline()) span(g, span);
        g.writeEndArray();
        g.writeFieldName(VERSION);
        g.writeNumber(s.version());
        g.writeFieldName(FORCED);
        g.writeBoolean(s.forced());
        other(g, STOP_LEVEL, s.stopLevel(), provider);
        other(g, CANCEL_ORIGIN, s.cancelOrigin(), provider);
        other(g, RESUME_OF, s.resumeOf(), provider);
        text(g, CANCEL_REASON, s.cancelReason());
        other(g, POLICY, s.policy(), provider);
        other(g, RETRY, s.retry(), provider);
        text(g, WAITING, s.waiting());
        g.writeEndObject();
    }

    /** One field's value, as the mapper writes it: the common kinds by hand, anything else through the mapper. */
    static void value(JsonGenerator g, Object value, SerializerProvider provider) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String text -> g.writeString(text);
            case Long n -> g.writeNumber(n);
            case Integer n -> g.writeNumber(n);
            case Boolean b -> g.writeBoolean(b);
            case Instant t -> g.writeString(IsoInstants.format(t));
            case RunStatus status -> g.writeString(status.name());
            case NodeSpan span -> span(g, span);
            default -> {
                if (provider != null) provider.defaultSerializeValue(value, g);
                else g.writeObject(value);
            }
        }
    }

    private static void input(JsonGenerator g, Map<String, Object> input, SerializerProvider provider) throws IOException {
        g.writeFieldName(INPUT);
        if (input == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject(input);
        for (var e : input.entrySet()) {
            g.writeFieldName(e.getKey());
            value(g, e.getValue(), provider);
        }
        g.writeEndObject();
    }

    private static void span(JsonGenerator g, NodeSpan span) throws IOException {
        g.writeStartObject(span);
        text(g, NODE, span.node());
        instant(g, STARTED_AT, span.startedAt());
        instant(g, ENDED_AT, span.endedAt());
        text(g, OUTCOME, span.outcome() == null ? null : span.outcome().name());
        g.writeEndObject();
    }

    private static SerializedString name(String name) {
        return new SerializedString(name);
    }

    private static void other(JsonGenerator g, SerializedString name, Object value, SerializerProvider provider) throws IOException {
        g.writeFieldName(name);
        value(g, value, provider);
    }

    private static void text(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        if (value == null) g.writeNull();
        else g.writeString(value);
    }

    private static void instant(JsonGenerator g, SerializedString name, Instant value) throws IOException {
        text(g, name, value == null ? null : IsoInstants.format(value));
    }
}
