package dev.tether.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JavaType;
import dev.tether.json.Json;
import dev.tether.run.NodeSpan;
import dev.tether.run.RunSnapshot;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the events channel carries for a run whose previous version its writer knows: the fields that
 * changed since that version and the node spans from the first that changed, not the whole snapshot
 * again (whose timeline grows with every node). The script that writes the run publishes it only if
 * the stored version is still that base, else the whole snapshot; an observer applies it only onto
 * that same version, else reads the record.
 *
 * <pre>{"runId": "...", "base": 4, "set": {"version": 5, "status": "...", ...}, "spansFrom": 2, "spans": [...]}</pre>
 *
 * A reader that does not know this form finds no status in it and skips it as unreadable; its check
 * of stored versions reads the record again.
 */
final class RunChange {
    private static final String TIMELINE = "timeline";
    private static final String HEAD = "{\"runId\":\"", CHANGE_KEY = ",\"base\":", SNAPSHOT_KEY = ",\"graphId\":";

    private RunChange() {}

    /** A snapshot's fields, in declaration order: its JSON properties (the derived getters are ignored by Jackson). */
    private static final RecordComponent[] FIELDS = RunSnapshot.class.getRecordComponents();
    // Typed (RunSnapshot)Object and (Object[])RunSnapshot, called with invokeExact: a mirror applies a change per
    // event, and the generic invoke paths cost more than the rest of the change together.
    private static final MethodHandle[] GET = new MethodHandle[FIELDS.length];
    private static final JavaType[] TYPE = new JavaType[FIELDS.length];
    private static final MethodHandle NEW;
    private static final int SPANS;

    static {
        var lookup = java.lang.invoke.MethodHandles.lookup();
        int spans = -1;
        try {
            for (int i = 0; i < FIELDS.length; i++) {
                GET[i] = lookup.unreflect(FIELDS[i].getAccessor()).asType(MethodType.methodType(Object.class, RunSnapshot.class));
                TYPE[i] = Json.mapper().getTypeFactory().constructType(FIELDS[i].getGenericType());
                if (FIELDS[i].getName().equals(TIMELINE)) spans = i;
            }
            NEW = lookup.findConstructor(RunSnapshot.class, MethodType.methodType(void.class,
                    java.util.Arrays.stream(FIELDS).map(RecordComponent::getType).toArray(Class<?>[]::new)))
                    .asSpreader(Object[].class, FIELDS.length);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        SPANS = spans;
    }

    /** The change from {@code base} to {@code next} of the same run, as JSON: only what differs is written. */
    static String between(RunSnapshot base, RunSnapshot next) {
        // Written straight to a generator: a worker writes one per run's end, and a map of maps costs Jackson a
        // serializer lookup per value. Values other than the common kinds (Json.writeValue) go through the shared mapper.
        var out = new java.io.StringWriter(256);
        try (var g = Json.mapper().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("runId", next.runId());
            g.writeNumberField("base", base.version());
            g.writeObjectFieldStart("set");
            for (int i = 0; i < FIELDS.length; i++) {
                if (i == SPANS) continue;
                var now = get(i, next);
                if (Objects.equals(get(i, base), now)) continue;
                g.writeFieldName(FIELDS[i].getName());
                Json.writeValue(g, now);
            }
            g.writeEndObject();
            var was = base.timeline();
            var now = next.timeline();
            int same = 0;
            while (same < was.size() && same < now.size() && was.get(same).equals(now.get(same))) same++;
            if (same < was.size() || same < now.size()) {
                g.writeNumberField("spansFrom", same);
                g.writeFieldName("spans");
                g.writeStartArray();
                for (var span : now.subList(same, now.size())) Json.writeValue(g, span);
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot write a change: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private static Object get(int field, RunSnapshot s) {
        try {
            return (Object) GET[field].invokeExact(s);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read " + FIELDS[field].getName(), t);
        }
    }

    /**
     * Whether this event is a change (else it is a whole snapshot), from its second key: a change's is
     * {@code base}, a snapshot's {@code graphId} (Tether writes both in that order); a few tokens read.
     */
    static boolean isChange(String event) {
        // Tether's own events, read without a parser: {"runId":"...", then the second key. The first quote after the
        // head ends the id, or is an escaped one, which the rest of the id follows: that holds no bare quote, as a key does.
        int close = event.startsWith(HEAD) ? event.indexOf('"', HEAD.length()) : -1;
        if (close > 0) {
            if (event.startsWith(CHANGE_KEY, close + 1)) return true;
            if (event.startsWith(SNAPSHOT_KEY, close + 1)) return false;
        }
        try (var p = Json.mapper().getFactory().createParser(event)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return false;
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.FIELD_NAME) return false;
            p.nextToken();
            p.skipChildren();
            return p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME && "base".equals(p.currentName());
        } catch (java.io.IOException e) {
            return false; // not JSON: the snapshot reader says so
        }
    }

    static JsonNode parse(String change) {
        try {
            return Json.mapper().readTree(change);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("malformed change: " + e.getOriginalMessage(), e);
        }
    }

    /** The run id a change is for. */
    static String runId(JsonNode change) {
        var id = change.get("runId");
        if (id == null || !id.isTextual()) throw new IllegalArgumentException("a change that names no run");
        return id.asText();
    }

    /**
     * The snapshot {@code change} makes of {@code current}, or null when {@code current} is not the
     * version the change was made from (then only the record tells the new state).
     *
     * @throws IllegalArgumentException a malformed change
     */
    static RunSnapshot applyTo(RunSnapshot current, JsonNode change) {
        if (current == null || current.version() != change.path("base").asLong(-1)) return null;
        if (!(change.get("set") instanceof ObjectNode set)) throw new IllegalArgumentException("a change without its fields");
        int from = change.has("spansFrom") ? change.get("spansFrom").asInt(-1) : -1;
        var spans = change.get("spans");
        if (change.has("spansFrom") && (from < 0 || from > current.timeline().size() || !(spans instanceof ArrayNode))) {
            throw new IllegalArgumentException("a change whose spans do not fit its base");
        }
        var values = new Object[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) values[i] = get(i, current);
        RunSnapshot next;
        try { // only the changed fields are read; the others are the base's own objects
            for (int i = 0; i < FIELDS.length; i++) {
                var v = set.get(FIELDS[i].getName());
                if (v != null && i != SPANS) values[i] = value(v, i);
            }
            if (from >= 0) {
                var merged = new ArrayList<NodeSpan>(from + spans.size());
                merged.addAll(current.timeline().subList(0, from));
                for (var span : spans) merged.add(Json.mapper().treeToValue(span, NodeSpan.class));
                values[SPANS] = List.copyOf(merged);
            }
            next = (RunSnapshot) NEW.invokeExact(values);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) { // unreadable values, or ones the snapshot refuses (a primitive cleared)
            throw new IllegalArgumentException("a change that makes no run: " + e.getMessage(), e);
        }
        if (!current.runId().equals(next.runId()) || next.status() == null || next.version() <= current.version()) {
            throw new IllegalArgumentException("a change that does not move run " + current.runId() + " on");
        }
        return next;
    }

    /** A changed field's value: text and whole numbers as they are (most of what a change sets), the rest as Jackson reads it. */
    private static Object value(JsonNode v, int field) throws java.io.IOException {
        var type = TYPE[field].getRawClass();
        if (type == String.class && v.isTextual()) return v.textValue();
        if (type == long.class && v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
        if (type == int.class && v.isIntegralNumber() && v.canConvertToInt()) return v.intValue();
        return Json.mapper().treeToValue(v, TYPE[field]);
    }
}
