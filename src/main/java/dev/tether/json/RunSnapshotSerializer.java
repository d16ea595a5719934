package dev.tether.json;

import com.fasterxml.jackson.core.JsonGenerator;
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
    RunSnapshotSerializer() {
        super(RunSnapshot.class);
    }

    @Override
    public void serialize(RunSnapshot s, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeStartObject(s);
        // the head the Redis scripts read first (RunSnapshot's @JsonPropertyOrder), then the record's order
        text(g, "runId", s.runId());
        text(g, "graphId", s.graphId());
        text(g, "queue", s.queue());
        text(g, "worker", s.worker());
        text(g, "status", s.status() == null ? null : s.status().name());
        text(g, "currentNode", s.currentNode());
        g.writeNumberField("steps", s.steps());
        instant(g, "submittedAt", s.submittedAt());
        instant(g, "startedAt", s.startedAt());
        instant(g, "endedAt", s.endedAt());
        instant(g, "cancelRequestedAt", s.cancelRequestedAt());
        text(g, "cancelledAtNode", s.cancelledAtNode());
        provider.defaultSerializeField("error", s.error(), g);
        input(g, s.input(), provider);
        g.writeArrayFieldStart("timeline");
        for (var span : s.timeline()) span(g, span);
        g.writeEndArray();
        g.writeNumberField("version", s.version());
        g.writeBooleanField("forced", s.forced());
        provider.defaultSerializeField("stopLevel", s.stopLevel(), g);
        provider.defaultSerializeField("cancelOrigin", s.cancelOrigin(), g);
        provider.defaultSerializeField("resumeOf", s.resumeOf(), g);
        text(g, "cancelReason", s.cancelReason());
        provider.defaultSerializeField("policy", s.policy(), g);
        provider.defaultSerializeField("retry", s.retry(), g);
        text(g, "waiting", s.waiting());
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
        g.writeFieldName("input");
        if (input == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject(input);
        for (var e : input.entrySet()) {
            g.writeFieldName(e.getKey());
            switch (e.getValue()) {
                case null -> g.writeNull();
                case String text -> g.writeString(text);
                case Integer n -> g.writeNumber(n);
                case Long n -> g.writeNumber(n);
                case Boolean b -> g.writeBoolean(b);
                case Object other -> provider.defaultSerializeValue(other, g);
            }
        }
        g.writeEndObject();
    }

    private static void span(JsonGenerator g, NodeSpan span) throws IOException {
        g.writeStartObject(span);
        text(g, "node", span.node());
        instant(g, "startedAt", span.startedAt());
        instant(g, "endedAt", span.endedAt());
        text(g, "outcome", span.outcome() == null ? null : span.outcome().name());
        g.writeEndObject();
    }

    private static void text(JsonGenerator g, String name, String value) throws IOException {
        g.writeFieldName(name);
        if (value == null) g.writeNull();
        else g.writeString(value);
    }

    private static void instant(JsonGenerator g, String name, Instant value) throws IOException {
        text(g, name, value == null ? null : IsoInstants.format(value));
    }
}
