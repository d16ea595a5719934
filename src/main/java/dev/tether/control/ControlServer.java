package dev.tether.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tether.engine.RunEngine;
import dev.tether.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The control API of a console or server: HTTP/JSON on the loopback interface only, every request
 * authenticated with a random bearer token that only the user can read (see {@link ControlFile}).
 *
 * <pre>
 * GET  /api/graphs                   graphs that can be submitted
 * GET  /api/runs[?all=true]          active runs (with all=true: finished ones too)
 * GET  /api/runs/{id}[?waitMillis=N] one run (full id, or unique prefix/suffix); waits up to N ms for it to end
 * POST /api/runs                     submit {"graph": ..., "queue": ..., "input": {"key": "text"}}
 * POST /api/runs/{id}/cancel[?level=after-node|cancel|kill]  cancel one run (default level: cancel)
 * POST /api/cancel-all               cancel every active run
 * GET  /api/stats                    executor use and mode
 * GET  /api/events                   server-sent events: "run" with a snapshot, on every change
 * </pre>
 */
public final class ControlServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlServer.class);
    static final long MAX_WAIT_MILLIS = 10 * 60_000L;

    private final RunEngine engine;
    private final EngineControlClient runs;
    private final HttpServer http;
    private final ExecutorService executor;
    private final byte[] token;
    private final Path controlFile;
    private final ControlFile published;
    private final Set<Thread> streams = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ControlServer(RunEngine engine, Path controlFile) throws IOException {
        this.engine = engine;
        this.runs = new EngineControlClient(engine);
        this.controlFile = controlFile;
        var raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        var tokenText = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        this.token = tokenText.getBytes(StandardCharsets.US_ASCII);
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tether-control-", 0).factory());
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        http.setExecutor(executor);
        http.createContext("/api/", this::handle);
        http.start();
        this.published = new ControlFile(ProcessHandle.current().pid(), http.getAddress().getPort(), tokenText,
                engine.mode(), Instant.now());
    }

    /**
     * Binds a random loopback port and publishes it with a fresh token in {@code controlFile}.
     *
     * @throws IllegalStateException when another live instance already owns the control file
     */
    public static ControlServer start(RunEngine engine, Path controlFile) throws IOException {
        if (Files.exists(controlFile)) {
            try {
                var other = ControlFile.read(controlFile);
                if (other.ownerAlive() && other.pid() != ProcessHandle.current().pid()) {
                    throw new IllegalStateException("another Tether instance (pid " + other.pid() + ") is running with control file "
                            + controlFile + "; stop it or use another TETHER_HOME");
                }
            } catch (IOException unreadable) {
                LOG.warn("replacing unreadable control file {}", controlFile);
            }
        }
        var server = new ControlServer(engine, controlFile);
        try {
            server.published.write(controlFile);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        LOG.info("control API on {} (control file {})", server.published.baseUrl(), controlFile);
        return server;
    }

    public int port() {
        return published.port();
    }

    public Path controlFile() {
        return controlFile;
    }

    // ------------------------------------------------------------------ requests

    private void handle(HttpExchange ex) {
        try {
            if (!authorised(ex)) {
                reply(ex, 401, Map.of("error", "missing or wrong bearer token"));
                return;
            }
            route(ex);
        } catch (ControlException e) {
            int code = switch (e.kind()) {
                case BAD_INPUT -> 400;
                case UNKNOWN_RUN -> 404;
                case UNREACHABLE -> 503;
                case SERVER_ERROR -> 500;
            };
            reply(ex, code, Map.of("error", e.getMessage()));
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("control request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            reply(ex, 500, Map.of("error", String.valueOf(e.getMessage())));
        } finally {
            ex.close();
        }
    }

    private boolean authorised(HttpExchange ex) {
        var header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) return false;
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.US_ASCII));
    }

    private void route(HttpExchange ex) throws IOException {
        var method = ex.getRequestMethod();
        var path = ex.getRequestURI().getPath();
        var query = query(ex.getRequestURI().getRawQuery());
        var parts = path.substring("/api/".length()).split("/");
        switch (method + " " + parts[0] + (parts.length > 1 ? "/*" : "") + (parts.length > 2 ? "/" + parts[2] : "")) {
            case "GET graphs" -> reply(ex, 200, runs.graphs());
            case "GET runs" -> reply(ex, 200, runs.list("true".equals(query.get("all"))));
            case "GET runs/*" -> {
                long wait = Math.min(MAX_WAIT_MILLIS, parseLong(query.getOrDefault("waitMillis", "0")));
                var run = runs.get(parts[1]);
                if (wait > 0 && !run.isTerminal()) run = runs.awaitTerminal(run.runId(), Duration.ofMillis(wait)).orElse(runs.get(run.runId()));
                reply(ex, 200, run);
            }
            case "POST runs" -> {
                var body = Json.mapper().readTree(ex.getRequestBody());
                var input = new LinkedHashMap<String, String>();
                var in = body.path("input");
                if (!in.isMissingNode() && !in.isNull() && !in.isObject()) throw bad("'input' must be an object of key: text");
                in.properties().forEach(e -> input.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
                var graph = text(body, "graph");
                if (graph == null) throw bad("'graph' is required");
                reply(ex, 201, runs.submit(graph, text(body, "queue"), input));
            }
            case "POST runs/*/cancel" -> reply(ex, 200, runs.cancel(parts[1], level(query.get("level"))));
            case "POST cancel-all" -> reply(ex, 200, Map.of("cancelled", runs.cancelAll()));
            case "GET stats" -> {
                var s = runs.stats();
                reply(ex, 200, Map.of("capacity", s.capacity(), "busy", s.busy(), "queued", s.queued(), "stuck", s.stuck(),
                        "mode", engine.mode(), "connected", engine.connected()));
            }
            case "GET events" -> events(ex);
            default -> reply(ex, 404, Map.of("error", "no such endpoint: " + method + " " + path));
        }
    }

    /** Server-sent events: one "run" event per changed snapshot (coalesced, newest first-class). */
    private void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        var self = Thread.currentThread();
        streams.add(self);
        try (var feed = engine.registry().openFeed(); OutputStream out = ex.getResponseBody()) {
            out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!closed) {
                if (!feed.await(Duration.ofSeconds(15))) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    for (var run : feed.drain()) {
                        out.write(("event: run\ndata: " + Json.write(run) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.remove(self);
        }
    }

    private static dev.tether.engine.StopLevel level(String text) {
        try {
            return dev.tether.engine.StopLevel.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static ControlException bad(String message) {
        return new ControlException(ControlException.Kind.BAD_INPUT, message);
    }

    private static String text(JsonNode body, String field) {
        var n = body.path(field);
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad("not a number: '" + s + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        var out = new LinkedHashMap<String, String>();
        if (raw == null || raw.isEmpty()) return out;
        for (var pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            var k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, Object body) {
        try {
            var bytes = Json.mapper().writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            try (var out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("could not reply: {}", e.getMessage());
        }
    }

    /** Stops serving (open event streams end), and removes the control file if it is still ours. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        streams.forEach(Thread::interrupt);
        http.stop(0);
        executor.shutdownNow();
        try {
            if (Files.exists(controlFile) && ControlFile.read(controlFile).token().equals(published.token())) {
                Files.deleteIfExists(controlFile);
            }
        } catch (IOException e) {
            LOG.warn("could not remove control file {}: {}", controlFile, e.getMessage());
        }
    }
}
