package dev.tether.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.json.Json;
import dev.tether.run.RunSnapshot;

import java.util.Iterator;
import java.util.Map;

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

    private RunChange() {}

    /** The change from {@code base} to {@code next} of the same run, as JSON. */
    static String between(RunSnapshot base, RunSnapshot next) {
        var mapper = Json.mapper();
        ObjectNode from = mapper.valueToTree(base);
        ObjectNode to = mapper.valueToTree(next);
        var change = mapper.createObjectNode();
        change.put("runId", next.runId());
        change.put("base", base.version());
        var set = change.putObject("set");
        for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
            var f = it.next();
            if (!f.getKey().equals(TIMELINE) && !f.getValue().equals(from.get(f.getKey()))) set.set(f.getKey(), f.getValue());
        }
        var was = (ArrayNode) from.get(TIMELINE);
        var now = (ArrayNode) to.get(TIMELINE);
        int same = 0;
        while (same < was.size() && same < now.size() && was.get(same).equals(now.get(same))) same++;
        if (same < was.size() || same < now.size()) {
            change.put("spansFrom", same);
            var spans = change.putArray("spans");
            for (int i = same; i < now.size(); i++) spans.add(now.get(i));
        }
        return Json.write(change);
    }

    /**
     * Whether this event is a change (else it is a whole snapshot), from its second key: a change's is
     * {@code base}, a snapshot's {@code graphId} (Tether writes both in that order); a few tokens read.
     */
    static boolean isChange(String event) {
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
        var mapper = Json.mapper();
        ObjectNode tree = mapper.valueToTree(current);
        var set = change.get("set");
        if (!(set instanceof ObjectNode fields)) throw new IllegalArgumentException("a change without its fields");
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            var f = it.next();
            if (!f.getKey().equals(TIMELINE)) tree.set(f.getKey(), f.getValue());
        }
        if (change.has("spansFrom")) {
            int from = change.get("spansFrom").asInt(-1);
            var timeline = (ArrayNode) tree.get(TIMELINE);
            if (from < 0 || from > timeline.size() || !(change.get("spans") instanceof ArrayNode spans)) {
                throw new IllegalArgumentException("a change whose spans do not fit its base");
            }
            while (timeline.size() > from) timeline.remove(timeline.size() - 1);
            timeline.addAll(spans);
        }
        RunSnapshot next;
        try {
            next = mapper.treeToValue(tree, RunSnapshot.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("a change that makes no run: " + e.getMessage(), e);
        }
        if (!current.runId().equals(next.runId()) || next.status() == null || next.version() <= current.version()) {
            throw new IllegalArgumentException("a change that does not move run " + current.runId() + " on");
        }
        return next;
    }
}
