package dev.tether.control;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.tether.control.HttpContract.Endpoint;
import dev.tether.engine.EngineStats;
import dev.tether.engine.GraphInfo;
import dev.tether.json.Json;
import dev.tether.run.RunSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Talks to the console or server of this user through its control file. Short connect timeouts and
 * a liveness check of the file's owner make a stale file a quick, clear error, never a hang.
 * (HttpURLConnection rather than java.net.http: it loads far fewer classes, and CLI start-up counts.)
 */
public final class HttpControlClient implements ControlClient {
    static final String START_HINT = "start one with `tether serve` (headless) or `tether console`";
    private static final int CONNECT_MILLIS = 1_000;
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
        if (!file.ownerAlive()) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the Tether instance that wrote " + controlFile
                    + " (pid " + file.pid() + ") is gone; " + START_HINT);
        }
        return new HttpControlClient(file);
    }

    /** Whether the instance of {@code file} answers, as itself (its instance id), within a second. */
    static boolean answersAsItself(ControlFile file) {
        try {
            new HttpControlClient(file).call("GET", Endpoint.HELLO.path(), null, new TypeReference<Map<String, Object>>() {}, 1_000);
            return true;
        } catch (ControlException e) {
            return e.kind() != ControlException.Kind.UNREACHABLE;
        }
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

    /**
     * One request. A body is sent with a fixed length: HttpURLConnection then never resends a POST
     * on its own after a dropped connection (it does for buffered bodies), so a submit cannot be
     * made twice; the request id makes it safe even if something else resends.
     */
    private <T> T call(String method, String path, Object body, TypeReference<T> type, int readMillis) {
        return call(method, path, body, type, readMillis, Map.of());
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type, int readMillis, Map<String, String> headers) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create(target.baseUrl() + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_MILLIS);
            c.setReadTimeout(readMillis);
            c.setUseCaches(false);
            c.setRequestProperty("Authorization", "Bearer " + target.token());
            c.setRequestProperty("Accept", "application/json");
            headers.forEach(c::setRequestProperty);
            if (body != null) {
                var bytes = Json.mapper().writeValueAsBytes(body);
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(bytes.length);
                c.setRequestProperty("Content-Type", "application/json");
                try (var out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            int status = c.getResponseCode();
            checkIdentity(c);
            if (status >= 200 && status < 300) {
                try (InputStream in = c.getInputStream()) {
                    JavaType jt = Json.mapper().getTypeFactory().constructType(type);
                    return Json.mapper().readValue(in, jt);
                }
            }
            throw failure(c, status);
        } catch (ConnectException | SocketTimeoutException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the Tether instance at " + target.baseUrl()
                    + " (pid " + target.pid() + ") does not answer (" + e.getMessage() + "); " + START_HINT, e);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "lost the connection to " + target.baseUrl()
                    + ": " + e.getMessage(), e);
        } finally {
            if (c != null) c.disconnect();
        }
    }

    /** Whoever holds the port now must be the instance that wrote the control file (a port is reused after a crash). */
    private void checkIdentity(HttpURLConnection c) {
        if (target.instanceId() == null) return; // a file written before instance ids
        var answered = c.getHeaderField(HttpContract.INSTANCE_HEADER);
        if (!target.instanceId().equals(answered)) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, "the process listening on " + target.baseUrl()
                    + " is not the Tether instance that wrote the control file (pid " + target.pid() + "); " + START_HINT);
        }
    }

    private static ControlException failure(HttpURLConnection c, int status) {
        String message = "HTTP " + status;
        String kindName = null;
        try (InputStream err = c.getErrorStream()) {
            if (err != null) {
                var node = Json.mapper().readTree(err);
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
