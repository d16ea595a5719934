package dev.tether.control;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.tether.control.HttpContract.Endpoint;
import dev.tether.engine.EngineStats;
import dev.tether.engine.GraphInfo;
import dev.tether.json.Json;
import dev.tether.run.RunSnapshot;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Talks to the console or server of this user through its control file, over its Unix-domain
 * socket. A liveness check of the file's owner and a socket nobody listens on make a stale file a
 * quick, clear error, never a hang; the socket's peer must be this user before the token is sent.
 */
public final class HttpControlClient implements ControlClient {
    static final String START_HINT = "start one with `tether serve` (headless) or `tether console`";
    private static final int READ_MILLIS = 15_000;

    private final ControlFile target;

    private HttpControlClient(ControlFile target) {
        this.target = target;
    }

    /** Finds the running instance through {@code controlFile}, if the file can be trusted. */
    public static HttpControlClient connect(Path controlFile) {
        ControlFile file;
        try {
            var problem = ControlFileTrust.problem(controlFile);
            if (problem != null) throw new ControlException(ControlException.Kind.UNREACHABLE, problem);
            file = ControlFile.read(controlFile);
        } catch (NoSuchFileException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE,
                    "no Tether instance is running (no " + controlFile + "); " + START_HINT);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE,
                    "cannot read control file " + controlFile + " (" + e.getMessage() + "); " + START_HINT);
        }
        if (file.socket() == null || file.instanceId() == null) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, controlFile + " was written by an older Tether (no control socket); restart it");
        }
        if (!file.ownerAlive()) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the Tether instance that wrote " + controlFile
                    + " (pid " + file.pid() + ") is gone; " + START_HINT);
        }
        return new HttpControlClient(file);
    }

    /** The answering instance's id and pid ({@code GET /api/hello}). */
    public Map<String, Object> hello() {
        return call("GET", Endpoint.HELLO.path(), null, new TypeReference<Map<String, Object>>() {}, READ_MILLIS);
    }

    @Override
    public List<GraphInfo> graphs() {
        return call("GET", Endpoint.GRAPHS.path(), null, new TypeReference<List<GraphInfo>>() {}, READ_MILLIS);
    }

    @Override
    public List<RunSnapshot> list(boolean includeFinished) {
        return call("GET", Endpoint.LIST.path() + (includeFinished ? "?all=true" : ""), null, new TypeReference<List<RunSnapshot>>() {}, READ_MILLIS);
    }

    @Override
    public dev.tether.run.ActivePage active(dev.tether.run.ActiveQuery query) {
        var answer = exchange("GET", Endpoint.LIST.path() + ActiveParams.encode(query), null, READ_MILLIS, Map.of());
        List<RunSnapshot> runs = decode(answer, new TypeReference<List<RunSnapshot>>() {});
        return new dev.tether.run.ActivePage(runs, answer.header(ActiveParams.NEXT_HEADER));
    }

    @Override
    public dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery query) {
        return call("GET", Endpoint.HISTORY.path() + HistoryParams.encode(query), null,
                new TypeReference<dev.tether.history.HistoryPage>() {}, READ_MILLIS);
    }

    @Override
    public RunSnapshot get(String runId) {
        return call("GET", Endpoint.RUN.path(runId), null, new TypeReference<RunSnapshot>() {}, READ_MILLIS);
    }

    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, String> input, dev.tether.run.RunPolicy policy) {
        var body = new LinkedHashMap<String, Object>();
        body.put("graph", graphId);
        body.put("queue", queue);
        body.put("input", input);
        if (policy != null && !policy.isEmpty()) body.put("policy", policy.values());
        // One id per submit: should the request reach the instance twice, it still makes one run.
        var requestId = java.util.UUID.randomUUID().toString();
        return call("POST", Endpoint.SUBMIT.path(), body, new TypeReference<RunSnapshot>() {}, READ_MILLIS,
                Map.of(HttpContract.IDEMPOTENCY_KEY, requestId));
    }

    @Override
    public dev.tether.engine.BulkCancelReport cancelAll(dev.tether.run.CancelRequest request, Duration wait) {
        long ms = Math.max(0, wait.toMillis());
        return call("POST", Endpoint.CANCEL_ALL.path() + "?waitMillis=" + ms + "&origin=" + originParam(request.origin()), Map.of(),
                new TypeReference<dev.tether.engine.BulkCancelReport>() {}, (int) Math.min(Integer.MAX_VALUE, ms + READ_MILLIS));
    }

    private static String originParam(dev.tether.run.CancelOrigin origin) {
        return (origin == null ? dev.tether.run.CancelOrigin.API : origin).name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public CancelResult cancel(String runId, dev.tether.run.CancelRequest request) {
        return call("POST", Endpoint.CANCEL.path(runId) + "?level=" + request.level().label() + "&origin=" + originParam(request.origin())
                + "&mode=" + request.mode().label(), Map.of(), new TypeReference<CancelResult>() {}, READ_MILLIS);
    }

    @Override
    public RunSnapshot resume(String runId, String afterNode) {
        var query = afterNode == null || afterNode.isBlank() ? ""
                : "?from=" + java.net.URLEncoder.encode(afterNode, java.nio.charset.StandardCharsets.UTF_8);
        return call("POST", Endpoint.RESUME.path(runId) + query, Map.of(), new TypeReference<RunSnapshot>() {}, READ_MILLIS);
    }

    @Override
    public List<dev.tether.engine.CheckpointInfo> checkpoints(String runId) {
        return call("GET", Endpoint.CHECKPOINTS.path(runId), null, new TypeReference<List<dev.tether.engine.CheckpointInfo>>() {}, READ_MILLIS);
    }

    @Override
    public List<RunSnapshot> attempts(String runId) {
        return call("GET", Endpoint.ATTEMPTS.path(runId), null, new TypeReference<List<RunSnapshot>>() {}, READ_MILLIS);
    }

    @Override
    public Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) {
        long ms = Math.max(1, timeout.toMillis());
        RunSnapshot run = call("GET", Endpoint.RUN.path(runId) + "?waitMillis=" + ms, null, new TypeReference<RunSnapshot>() {},
                (int) Math.min(Integer.MAX_VALUE, ms + READ_MILLIS));
        return run.isTerminal() ? Optional.of(run) : Optional.empty();
    }

    @Override
    public EngineStats stats() {
        Map<String, Object> s = call("GET", Endpoint.STATS.path(), null, new TypeReference<Map<String, Object>>() {}, READ_MILLIS);
        return new EngineStats(num(s, "capacity"), num(s, "busy"), num(s, "queued"), num(s, "stuck"));
    }

    @Override
    public String mode() {
        Map<String, Object> s = call("GET", Endpoint.STATS.path(), null, new TypeReference<Map<String, Object>>() {}, READ_MILLIS);
        return String.valueOf(s.get("mode"));
    }

    private static int num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.intValue() : 0;
    }

    /** One request, sent once: the client never resends it (the request id makes a submit safe even if something else does). */
    private <T> T call(String method, String path, Object body, TypeReference<T> type, int readMillis) {
        return call(method, path, body, type, readMillis, Map.of());
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type, int readMillis, Map<String, String> headers) {
        return decode(exchange(method, path, body, readMillis, headers), type);
    }

    /** The answer of a request, once the peer is known to be the instance and the status a success. */
    private SocketExchange.Answer exchange(String method, String path, Object body, int readMillis, Map<String, String> headers) {
        var socket = target.socketPath();
        SocketExchange.Answer answer;
        try {
            var all = new LinkedHashMap<String, String>();
            all.put("Authorization", "Bearer " + target.token());
            all.put("Accept", "application/json");
            byte[] bytes = null;
            if (body != null) {
                bytes = Json.mapper().writeValueAsBytes(body);
                all.put("Content-Type", "application/json");
            }
            all.putAll(headers);
            answer = SocketExchange.send(socket, method, path, all, bytes, readMillis);
        } catch (SocketExchange.ForeignPeer e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the control socket " + socket + " is served by user '"
                    + e.getMessage() + "', not by this user; the token was not sent. " + START_HINT);
        } catch (SocketTimeoutException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the Tether instance on " + socket + " (pid " + target.pid()
                    + ") does not answer (" + e.getMessage() + "); " + START_HINT, e);
        } catch (java.net.SocketException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the Tether instance on " + socket + " (pid " + target.pid()
                    + ") does not answer (" + e.getMessage() + "); " + START_HINT, e);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "lost the connection to " + socket + ": " + e.getMessage(), e);
        }
        if (answer.status() == 401) throw failure(answer);
        checkIdentity(answer);
        if (answer.status() >= 200 && answer.status() < 300) return answer;
        throw failure(answer);
    }

    private <T> T decode(SocketExchange.Answer answer, TypeReference<T> type) {
        try {
            JavaType jt = Json.mapper().getTypeFactory().constructType(type);
            return Json.mapper().readValue(answer.body(), jt);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.SERVER_ERROR, "unreadable answer from " + target.socketPath() + ": " + e.getMessage(), e);
        }
    }

    /** Whoever answered must be the instance that wrote the control file (a socket is bound anew after a restart). */
    private void checkIdentity(SocketExchange.Answer answer) {
        var answered = answer.header(HttpContract.INSTANCE_HEADER);
        if (!target.instanceId().equals(answered)) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the process serving " + target.socket()
                    + " is not the Tether instance that wrote the control file (pid " + target.pid() + "); " + START_HINT);
        }
    }

    private static ControlException failure(SocketExchange.Answer answer) {
        int status = answer.status();
        String message = "HTTP " + status;
        String kindName = null;
        try {
            var node = Json.mapper().readTree(answer.body());
            if (node != null) {
                message = node.path("error").asText(message);
                kindName = node.path("kind").isTextual() ? node.path("kind").asText() : null;
            }
        } catch (IOException e) {
            message = "unreadable error answer (HTTP " + status + ")";
        }
        var kind = HttpContract.ErrorKind.of(kindName, status);
        if (kind == HttpContract.ErrorKind.UNAUTHORISED) {
            message = "the Tether instance refused this control file's token (was it restarted?)";
        } else if (kind == HttpContract.ErrorKind.SERVER_ERROR) {
            message = "HTTP " + status + ": " + message;
        }
        return new ControlException(kind.clientKind, message);
    }
}
