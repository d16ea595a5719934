package dev.tether.redis;

import dev.tether.engine.RunRequest;
import dev.tether.json.Json;
import dev.tether.run.ResumeOf;
import dev.tether.run.Retry;
import dev.tether.run.RunPolicy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job as a stream entry carries it: {@code id}, {@code graph}, {@code queue}, {@code input} (JSON),
 * {@code submittedAt} (epoch ms), and when set {@code resumeOf}, {@code policy} and {@code retry}
 * (JSON). Written by whoever queues a run, read by the worker that claims it.
 */
final class Jobs {
    private Jobs() {}

    static Map<String, String> fields(RunRequest r) {
        var fields = new LinkedHashMap<String, String>();
        fields.put("id", r.runId());
        fields.put("graph", r.graphId());
        fields.put("queue", r.queue());
        fields.put("input", Json.write(r.input()));
        fields.put("submittedAt", Long.toString(r.submittedAt().toEpochMilli()));
        if (r.resumeOf() != null) fields.put("resumeOf", Json.write(r.resumeOf()));
        if (r.policy() != null) fields.put("policy", Json.write(r.policy()));
        if (r.retry() != null) fields.put("retry", Json.write(r.retry()));
        return fields;
    }

    /** @throws IllegalArgumentException naming what is malformed */
    static RunRequest parse(Map<String, String> f) {
        var runId = require(f, "id");
        if (!dev.tether.engine.Names.isValid(runId)) throw new IllegalArgumentException("entry has a malformed 'id'");
        var graph = require(f, "graph");
        dev.tether.engine.InputLimit.requireJson(f.get("input")); // before it is parsed: the bound is on memory
        Map<String, Object> input;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = f.containsKey("input") ? Json.read(f.get("input"), Map.class) : Map.of();
            input = read;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("entry's 'input' is not a JSON object (" + e.getMessage() + ")");
        }
        if (input == null) throw new IllegalArgumentException("entry's 'input' is not a JSON object");
        Instant submitted;
        try {
            submitted = f.containsKey("submittedAt") ? Instant.ofEpochMilli(Long.parseLong(f.get("submittedAt"))) : Instant.now();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("entry's 'submittedAt' is not a number");
        }
        var resumeOf = optional(f, "resumeOf", ResumeOf.class, "a resume point");
        var policy = optional(f, "policy", RunPolicy.class, "a run policy");
        var retry = optional(f, "retry", Retry.class, "a retry");
        if (resumeOf != null && !dev.tether.engine.Names.isValid(resumeOf.runId())) throw new IllegalArgumentException("entry's 'resumeOf' names a malformed run id");
        if (retry != null && retry.previous() != null && !dev.tether.engine.Names.isValid(retry.previous())) {
            throw new IllegalArgumentException("entry's 'retry' names a malformed run id");
        }
        var queue = require(f, "queue");
        if (!dev.tether.engine.Names.isValid(queue)) throw new IllegalArgumentException("entry has a malformed 'queue'");
        return new RunRequest(runId, graph, queue, input, submitted, resumeOf, policy, retry);
    }

    private static <T> T optional(Map<String, String> f, String key, Class<T> type, String what) {
        if (!f.containsKey(key)) return null;
        T value;
        try {
            value = Json.read(f.get(key), type);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("entry's '" + key + "' is not " + what + " (" + Text.oneLine(e.getMessage()) + ")");
        }
        if (value == null) throw new IllegalArgumentException("entry's '" + key + "' is not " + what);
        return value;
    }

    private static String require(Map<String, String> f, String key) {
        var v = f.get(key);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("entry has no '" + key + "'");
        return v;
    }
}
