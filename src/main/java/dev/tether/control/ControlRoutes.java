package dev.tether.control;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tether.control.HttpContract.Endpoint;
import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import dev.tether.engine.RunEngine;
import dev.tether.json.Json;
import dev.tether.run.RunIds;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** What each endpoint of the {@link HttpContract} does, on an authorised request. */
final class ControlRoutes implements Route {
    private static final Set<String> SUBMIT_FIELDS = Set.of("graph", "queue", "input", "requestId", "policy");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Strict JSON: one value, no trailing garbage, no key given twice. */
    private static final ObjectReader STRICT = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final RunEngine engine;
    private final InProcessControlClient runs;
    private final EventStreams events;
    private final SubmitLedger ledger = new SubmitLedger();
    private final Map<String, Object> hello;
    /** The Prometheus text of this process's meters; null: no {@code /metrics}. */
    private final java.util.function.Supplier<String> metrics;

    ControlRoutes(RunEngine engine, EventStreams events, Map<String, Object> hello, java.util.function.Supplier<String> metrics) {
        this.engine = engine;
        this.metrics = metrics;
        this.runs = new InProcessControlClient(engine);
        this.events = events;
        this.hello = hello;
    }

    @Override
    public void serve(HttpRequest request, Reply out, Map<String, String> headers) throws IOException {
        if (metrics != null && Route.isMetrics(request)) {
            Route.metrics(request, out, headers, metrics);
            return;
        }
        if (request.segments() == null) throw new Refusal(ErrorKind.NO_ENDPOINT, "no such endpoint: " + request.method() + " " + path(request));
        Endpoint endpoint = null;
        String id = null;
        boolean shapeFits = false;
        for (var e : Endpoint.values()) {
            var m = e.match(request.segments());
            if (m == null) continue;
            shapeFits = true;
            if (e.method.equals(request.method())) {
                endpoint = e;
                id = m[0];
                break;
            }
        }
        if (endpoint == null) {
            if (shapeFits) throw new Refusal(ErrorKind.METHOD_NOT_ALLOWED, request.method() + " is not allowed on " + path(request));
            throw new Refusal(ErrorKind.NO_ENDPOINT, "no such endpoint: " + request.method() + " " + path(request));
        }
        if (id != null) id = runId(id);
        var query = request.query();
        switch (endpoint) {
            case HELLO -> HttpAnswer.json(out, 200, hello, headers);
            case GRAPHS -> HttpAnswer.json(out, 200, runs.graphs(), headers);
            case LIST -> list(query, out, headers);
            case HISTORY -> {
                dev.tether.history.HistoryQuery q;
                try {
                    q = HistoryParams.parse(query);
                } catch (IllegalArgumentException e) {
                    throw bad(e.getMessage());
                }
                HttpAnswer.json(out, 200, runs.history(q), headers);
            }
            case RUN -> {
                long wait = waitMillis(query.get("waitMillis"));
                var run = runs.get(id);
                if (wait > 0 && !run.isTerminal()) {
                    run = runs.awaitTerminal(run.runId(), Duration.ofMillis(wait)).orElse(runs.get(run.runId()));
                }
                HttpAnswer.json(out, 200, run, headers);
            }
            case SUBMIT -> submit(request, out, headers);
            case CANCEL -> HttpAnswer.json(out, 200, runs.cancel(id, new dev.tether.run.CancelRequest(level(query.get("level")),
                    origin(query.get("origin")), mode(query.get("mode")), null)), headers);
            case RESUME -> HttpAnswer.json(out, 201, runs.resume(id, query.get("from")), headers);
            case CHECKPOINTS -> HttpAnswer.json(out, 200, runs.checkpoints(id), headers);
            case ATTEMPTS -> HttpAnswer.json(out, 200, runs.attempts(id), headers);
            // Waits (waitMillis, at most MAX_WAIT_MILLIS) for every run's outcome; without it, the outcomes as they are at once.
            case CANCEL_ALL -> HttpAnswer.json(out, 200,
                    runs.cancelAll(dev.tether.run.CancelRequest.by(origin(query.get("origin"))), Duration.ofMillis(waitMillis(query.get("waitMillis")))), headers);
            case STATS -> {
                var s = runs.stats();
                HttpAnswer.json(out, 200, Map.of("capacity", s.capacity(), "busy", s.busy(), "queued", s.queued(), "stuck", s.stuck(),
                        "mode", engine.mode(), "connected", engine.connected()), headers);
            }
            case EVENTS -> events.serve(out, headers);
        }
    }

    /**
     * {@code GET /api/runs}: a page of the active runs ({@link ActiveParams}; the first 1,000 when nothing
     * is asked), with the next page's cursor in a header; {@code ?all=true}, as before pages, every run the
     * instance holds in memory.
     */
    private void list(Map<String, String> query, Reply out, Map<String, String> headers) throws IOException {
        if (query.containsKey("all")) {
            if (ActiveParams.any(query)) throw bad("'all' takes no other parameter: page the history with GET /api/history");
            HttpAnswer.json(out, 200, runs.list(flag(query, "all")), headers);
            return;
        }
        dev.tether.run.ActivePage page;
        try {
            page = runs.active(ActiveParams.parse(query));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        var answer = headers;
        if (page.next() != null) {
            answer = new LinkedHashMap<>(headers);
            answer.put(ActiveParams.NEXT_HEADER, page.next());
            var nextQuery = new TreeMap<>(query);
            nextQuery.put("cursor", page.next());
            var link = new java.util.StringJoiner("&", HttpContract.Endpoint.LIST.path() + "?", "");
            nextQuery.forEach((k, v) -> link.add(k + "=" + java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
            answer.put("Link", "<" + link + ">; rel=\"next\"");
        }
        HttpAnswer.json(out, 200, page.runs(), answer);
    }

    /** {@code ?level=after-node|cancel|kill}; absent means cancel. */
    private static dev.tether.run.StopLevel level(String text) {
        try {
            return dev.tether.run.StopLevel.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    /** {@code ?mode=interrupt|rollback}; absent means interrupt. */
    private static dev.tether.run.CancelMode mode(String text) {
        try {
            return dev.tether.run.CancelMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    /**
     * {@code ?origin=console|cli|api|shutdown|signal}: who asked, kept in the run's record; absent means
     * api. A policy's origins (deadline, ...) are recorded by the engine that saw the limit broken: a
     * request cannot claim them.
     */
    private static dev.tether.run.CancelOrigin origin(String text) {
        if (text == null || text.isEmpty()) return dev.tether.run.CancelOrigin.API;
        var origin = dev.tether.run.CancelOrigin.parse(text);
        if (origin == null || origin.isPolicy()) throw bad("unknown origin '" + clip(text) + "' (console, cli, api, shutdown or signal)");
        return origin;
    }

    private void submit(HttpRequest request, Reply out, Map<String, String> headers) throws IOException {
        var body = parseObject(request.body());
        for (var it = body.fieldNames(); it.hasNext(); ) {
            var name = it.next();
            if (!SUBMIT_FIELDS.contains(name)) {
                throw bad("unknown field '" + clip(name) + "' (known: graph, queue, input, policy, requestId)");
            }
        }
        var graphNode = body.path("graph");
        if (!graphNode.isTextual() || graphNode.asText().isBlank()) throw bad("'graph' is required: a graph id (text)");
        var graph = graphNode.asText();
        var queueNode = body.path("queue");
        String queue = null;
        if (!queueNode.isMissingNode() && !queueNode.isNull()) {
            if (!queueNode.isTextual()) throw bad("'queue' must be text");
            queue = queueNode.asText().isBlank() ? null : queueNode.asText();
        }
        var input = input(body.path("input"));
        var policyText = policy(body.path("policy"));
        dev.tether.run.RunPolicy policy;
        try {
            policy = policyText.isEmpty() ? null : dev.tether.run.RunPolicy.ofRun(policyText);
        } catch (IllegalArgumentException e) {
            throw bad("policy: " + e.getMessage());
        }
        var requestId = requestId(request.header(HttpContract.IDEMPOTENCY_KEY), body.path("requestId"));
        var finalQueue = queue;
        if (requestId == null) {
            HttpAnswer.json(out, 201, runs.submit(graph, queue, input, policy), headers);
            return;
        }
        var fingerprint = Json.write(List.of(graph, String.valueOf(queue), new TreeMap<>(input), new TreeMap<>(policyText)));
        SubmitLedger.Outcome outcome;
        try {
            outcome = ledger.submit(requestId, fingerprint, () -> runs.submit(graph, finalQueue, input, policy),
                    runId -> engine.registry().get(runId).or(() -> engine.find(runId)).orElse(null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while a submit with the same request id was under way");
        }
        if (!outcome.replayed()) {
            HttpAnswer.json(out, 201, outcome.run(), headers);
        } else {
            var replayed = new LinkedHashMap<>(headers);
            replayed.put(HttpContract.REPLAYED_HEADER, "true");
            HttpAnswer.json(out, 200, outcome.run(), replayed);
        }
    }

    private static JsonNode parseObject(byte[] body) {
        if (body.length == 0) throw bad("the body must be a JSON object, e.g. {\"graph\": \"welcome-email\"}");
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw bad("malformed JSON body: " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw bad("unreadable JSON body");
        }
        if (node == null || !node.isObject()) throw bad("the body must be a JSON object, e.g. {\"graph\": \"welcome-email\"}");
        return node;
    }

    /** Input values arrive as text (typed later by the graph's defaults); numbers and booleans are taken as their text. */
    private static Map<String, String> input(JsonNode in) {
        var input = new LinkedHashMap<String, String>();
        if (in.isMissingNode() || in.isNull()) return input;
        if (!in.isObject()) throw bad("'input' must be an object of key: value");
        for (var e : in.properties()) {
            var v = e.getValue();
            if (e.getKey().isBlank()) throw bad("input keys must not be empty");
            if (v.isTextual()) input.put(e.getKey(), v.asText());
            else if (v.isNumber() || v.isBoolean()) input.put(e.getKey(), v.asText());
            else throw bad("input '" + clip(e.getKey()) + "' must be text, a number or true/false");
        }
        return input;
    }

    /**
     * The run's own policy: an object of policy keys ({@code max-runtime}, {@code retries}, ...) to
     * text, whole numbers or plain decimals, as in {@code policies.properties}.
     */
    private static Map<String, String> policy(JsonNode in) {
        var policy = new LinkedHashMap<String, String>();
        if (in.isMissingNode() || in.isNull()) return policy;
        if (!in.isObject()) throw bad("'policy' must be an object of policy: value, e.g. {\"max-runtime\": \"10m\"}");
        for (var e : in.properties()) {
            var v = e.getValue();
            if (v.isTextual() || v.isIntegralNumber()) policy.put(e.getKey(), v.asText());
            else if (v.isFloatingPointNumber() && Double.isFinite(v.asDouble())) policy.put(e.getKey(), v.decimalValue().toPlainString());
            else throw bad("policy '" + clip(e.getKey()) + "' must be text or a number");
        }
        return policy;
    }

    private static String requestId(String header, JsonNode field) {
        String fromBody = null;
        if (!field.isMissingNode() && !field.isNull()) {
            if (!field.isTextual()) throw bad("'requestId' must be text");
            fromBody = field.asText();
        }
        if (header != null && fromBody != null && !header.equals(fromBody)) {
            throw bad(HttpContract.IDEMPOTENCY_KEY + " header and 'requestId' differ");
        }
        var id = header != null ? header : fromBody;
        if (id != null && !REQUEST_ID.matcher(id).matches()) {
            throw bad("a request id is 1 to 128 letters, digits or . _ : -");
        }
        return id;
    }

    private static String runId(String id) {
        try {
            return RunIds.checkReference(id);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static boolean flag(Map<String, String> query, String name) {
        var v = query.get(name);
        if (v == null || v.equals("false")) return false;
        if (v.equals("true") || v.isEmpty()) return true;
        throw bad("'" + name + "' must be true or false");
    }

    private static long waitMillis(String text) {
        if (text == null) return 0;
        try {
            long ms = Long.parseLong(text);
            if (ms < 0) throw bad("'waitMillis' must not be negative");
            return Math.min(ms, HttpContract.MAX_WAIT_MILLIS);
        } catch (NumberFormatException e) {
            throw bad("'waitMillis' must be a whole number of milliseconds");
        }
    }

    private static String path(HttpRequest r) {
        var t = r.rawTarget();
        int q = t.indexOf('?');
        return clip(q < 0 ? t : t.substring(0, q));
    }

    static String clip(String s) {
        if (s == null) return "";
        var one = s.replaceAll("\\p{Cntrl}", " ");
        return one.length() > 120 ? one.substring(0, 120) + "..." : one;
    }

    private static Refusal bad(String message) {
        return new Refusal(ErrorKind.BAD_INPUT, message);
    }
}
