package dev.tether.control;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /** Finds the running instance through {@code controlFile}. */
    public static HttpControlClient connect(Path controlFile) {
        ControlFile file;
        try {
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

    public ControlFile target() {
        return target;
    }

    @Override
    public List<GraphInfo> graphs() {
        return call("GET", "/api/graphs", null, new TypeReference<List<GraphInfo>>() {}, READ_MILLIS);
    }

    @Override
    public List<RunSnapshot> list(boolean includeFinished) {
        return call("GET", "/api/runs" + (includeFinished ? "?all=true" : ""), null, new TypeReference<List<RunSnapshot>>() {}, READ_MILLIS);
    }

    @Override
    public RunSnapshot get(String runId) {
        return call("GET", "/api/runs/" + enc(runId), null, new TypeReference<RunSnapshot>() {}, READ_MILLIS);
    }

    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, String> input) {
        var body = new LinkedHashMap<String, Object>();
        body.put("graph", graphId);
        body.put("queue", queue);
        body.put("input", input);
        return call("POST", "/api/runs", body, new TypeReference<RunSnapshot>() {}, READ_MILLIS);
    }

    @Override
    public CancelResult cancel(String runId) {
        return cancel(runId, dev.tether.engine.StopLevel.CANCEL);
    }

    @Override
    public CancelResult cancel(String runId, dev.tether.engine.StopLevel level) {
        return call("POST", "/api/runs/" + enc(runId) + "/cancel?level=" + level.label(), Map.of(),
                new TypeReference<CancelResult>() {}, READ_MILLIS);
    }

    @Override
    public List<String> cancelAll() {
        Map<String, List<String>> r = call("POST", "/api/cancel-all", Map.of(), new TypeReference<Map<String, List<String>>>() {}, READ_MILLIS);
        return r.getOrDefault("cancelled", List.of());
    }

    @Override
    public Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) {
        long ms = Math.max(1, timeout.toMillis());
        RunSnapshot run = call("GET", "/api/runs/" + enc(runId) + "?waitMillis=" + ms, null, new TypeReference<RunSnapshot>() {},
                (int) Math.min(Integer.MAX_VALUE, ms + READ_MILLIS));
        return run.isTerminal() ? Optional.of(run) : Optional.empty();
    }

    @Override
    public EngineStats stats() {
        Map<String, Object> s = call("GET", "/api/stats", null, new TypeReference<Map<String, Object>>() {}, READ_MILLIS);
        return new EngineStats(num(s, "capacity"), num(s, "busy"), num(s, "queued"), num(s, "stuck"));
    }

    @Override
    public String mode() {
        Map<String, Object> s = call("GET", "/api/stats", null, new TypeReference<Map<String, Object>>() {}, READ_MILLIS);
        return String.valueOf(s.get("mode"));
    }

    private static int num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.intValue() : 0;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type, int readMillis) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create(target.baseUrl() + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_MILLIS);
            c.setReadTimeout(readMillis);
            c.setRequestProperty("Authorization", "Bearer " + target.token());
            c.setRequestProperty("Accept", "application/json");
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (var out = c.getOutputStream()) {
                    out.write(Json.mapper().writeValueAsBytes(body));
                }
            }
            int status = c.getResponseCode();
            if (status >= 200 && status < 300) {
                try (InputStream in = c.getInputStream()) {
                    JavaType jt = Json.mapper().getTypeFactory().constructType(type);
                    return Json.mapper().readValue(in, jt);
                }
            }
            throw failure(status, errorMessage(c));
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

    private static String errorMessage(HttpURLConnection c) {
        try (InputStream err = c.getErrorStream()) {
            if (err == null) return "HTTP " + c.getResponseCode();
            var node = Json.mapper().readTree(err);
            return node.path("error").asText("HTTP " + c.getResponseCode());
        } catch (IOException e) {
            return "unreadable error response";
        }
    }

    private static ControlException failure(int status, String message) {
        return switch (status) {
            case 400, 409 -> new ControlException(ControlException.Kind.BAD_INPUT, message);
            case 404 -> new ControlException(ControlException.Kind.UNKNOWN_RUN, message);
            case 401 -> new ControlException(ControlException.Kind.UNREACHABLE,
                    "the Tether instance refused this control file's token (was it restarted?)");
            case 503 -> new ControlException(ControlException.Kind.UNREACHABLE, message);
            default -> new ControlException(ControlException.Kind.SERVER_ERROR, "HTTP " + status + ": " + message);
        };
    }
}
