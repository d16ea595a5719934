package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import dev.tether.engine.RunEngine;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The control API of a console or server, on the loopback interface only: its lifecycle (bind,
 * publish the {@link ControlFile}, close), the connection limits and who may ask (loopback
 * {@code Host}, no browser {@code Origin}, the bearer token). What each endpoint does is
 * {@link ControlRoutes}; the event stream is {@link EventStreams}; paths, statuses and limits are
 * the {@link HttpContract}.
 *
 * <p>A small HTTP/1.1 server of its own rather than the JDK's: that one answers malformed requests
 * (a bad {@code %} escape) with an HTML page before any handler sees them, and has no per-request
 * time or body limits. Each connection carries one request and one answer.
 */
public final class ControlServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlServer.class);

    private final ServerSocket listener;
    private final byte[] token;
    private final Path controlFile;
    private final ControlFile published;
    private final Route routes;
    /** Null for a metrics-only server (a worker's {@code --metrics-port}). */
    private final EventStreams events;
    private final Set<String> allowedHosts;
    private final Semaphore connections = new Semaphore(HttpContract.MAX_CONNECTIONS);
    private final Semaphore refusals = new Semaphore(16);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, String> answerHeaders;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(RunEngine engine, Path controlFile, java.util.function.Supplier<String> metrics) throws IOException {
        this.controlFile = controlFile;
        var raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        var tokenText = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        this.token = tokenText.getBytes(StandardCharsets.US_ASCII);
        var loopback = InetAddress.getLoopbackAddress();
        this.listener = new ServerSocket(0, 64, loopback);
        int port = listener.getLocalPort();
        this.allowedHosts = new java.util.HashSet<>(java.util.List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port,
                loopback.getHostAddress() + ":" + port));
        var self = ProcessHandle.current();
        this.published = new ControlFile(self.pid(), port, tokenText, engine.mode(), Instant.now(),
                UUID.randomUUID().toString(), self.info().startInstant().orElse(null));
        this.answerHeaders = Map.of(HttpContract.INSTANCE_HEADER, published.instanceId());
        var hello = new LinkedHashMap<String, Object>();
        hello.put("instanceId", published.instanceId());
        hello.put("pid", published.pid());
        hello.put("mode", engine.mode());
        hello.put("startedAt", published.startedAt());
        this.events = new EventStreams(engine.registry());
        this.routes = new ControlRoutes(engine, events, hello, metrics);
        this.acceptor = Thread.ofPlatform().daemon().name("tether-control-accept").start(this::acceptLoop);
    }

    /** A server of {@code /metrics} only, on a loopback port, behind {@code token}; publishes no control file. */
    private ControlServer(int port, String token, java.util.function.Supplier<String> metrics) throws IOException {
        this.controlFile = null;
        this.published = null;
        this.events = null;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        var loopback = InetAddress.getLoopbackAddress();
        this.listener = new ServerSocket(port, 64, loopback);
        int bound = listener.getLocalPort();
        this.allowedHosts = new java.util.HashSet<>(java.util.List.of("127.0.0.1:" + bound, "localhost:" + bound, "[::1]:" + bound,
                loopback.getHostAddress() + ":" + bound));
        this.answerHeaders = Map.of();
        this.metricsPort = bound;
        this.routes = (request, out, headers) -> {
            if (!Route.isMetrics(request)) {
                throw new Refusal(ErrorKind.NO_ENDPOINT, "no such endpoint: " + request.method() + " " + ControlRoutes.clip(request.rawTarget())
                        + " (this port serves " + Route.METRICS_PATH + " only)");
            }
            Route.metrics(request, out, headers, metrics);
        };
        this.acceptor = Thread.ofPlatform().daemon().name("tether-metrics-accept").start(this::acceptLoop);
    }

    private int metricsPort = -1;

    /**
     * Serves {@code GET /metrics} on the loopback interface, port {@code port} (0: any free one), to
     * requests carrying {@code token} as a bearer token (anything else: 401), with the same host,
     * origin and connection rules as the control API.
     */
    public static ControlServer metricsOnly(int port, String token, java.util.function.Supplier<String> metrics) throws IOException {
        if (token == null || token.isBlank()) throw new IllegalArgumentException("a metrics token is required");
        var server = new ControlServer(port, token.trim(), metrics);
        LOG.info("metrics on http://127.0.0.1:{}{}", server.port(), Route.METRICS_PATH);
        return server;
    }

    /**
     * Binds a random loopback port and publishes it with a fresh token in {@code controlFile}.
     *
     * @throws IllegalStateException when another live instance already answers through the control file
     */
    public static ControlServer start(RunEngine engine, Path controlFile) throws IOException {
        return start(engine, controlFile, null);
    }

    /** As {@link #start(RunEngine, Path)}, also serving {@code GET /metrics} (same token) from {@code metrics}. */
    public static ControlServer start(RunEngine engine, Path controlFile, java.util.function.Supplier<String> metrics) throws IOException {
        if (Files.exists(controlFile)) {
            try {
                var other = ControlFile.read(controlFile);
                // A live pid is not enough: after a crash the pid may belong to another program now.
                // Only an instance that answers as itself, with its token, holds the file.
                if (other.ownerAlive() && HttpControlClient.answersAsItself(other)) {
                    throw new IllegalStateException("another Tether instance (pid " + other.pid() + ") is running with control file "
                            + controlFile + "; stop it or use another TETHER_HOME");
                }
                LOG.info("replacing the control file left by pid {} (it no longer answers)", other.pid());
            } catch (IOException unreadable) {
                LOG.warn("replacing unreadable control file {}", controlFile);
            }
        }
        var server = new ControlServer(engine, controlFile, metrics);
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
        return published != null ? published.port() : metricsPort;
    }

    public Path controlFile() {
        return controlFile;
    }

    /** What this server published: its port, token and instance id. */
    public ControlFile published() {
        return published;
    }

    // ------------------------------------------------------------------ connections

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) LOG.warn("control API stopped accepting: {}", e.getMessage());
                return;
            }
            if (!connections.tryAcquire()) {
                refuseBusy(socket);
                continue;
            }
            try {
                Thread.ofVirtual().name("tether-control-", 0).start(() -> serve(socket));
            } catch (RuntimeException e) {
                connections.release();
                closeQuietly(socket);
            }
        }
    }

    /**
     * Over the connection limit: a one-line 503, on a thread of its own so the acceptor never waits
     * on a client; if even those are used up, the connection is just closed.
     */
    private void refuseBusy(Socket socket) {
        if (!refusals.tryAcquire()) {
            closeQuietly(socket);
            return;
        }
        Thread.ofVirtual().name("tether-control-refuse").start(() -> {
            try {
                HttpAnswer.json(socket.getOutputStream(), 503, error(ErrorKind.UNAVAILABLE,
                        "too many connections (at most " + HttpContract.MAX_CONNECTIONS + ")"), answerHeaders);
                drainAndClose(socket);
            } catch (IOException ignored) {
                // the client went away
            } finally {
                closeQuietly(socket);
                refusals.release();
            }
        });
    }

    private void serve(Socket socket) {
        open.add(socket);
        boolean drain = false;
        try {
            var out = socket.getOutputStream();
            try {
                if (closed) throw new Refusal(ErrorKind.UNAVAILABLE, "shutting down");
                var request = new HttpRequestReader(socket).read();
                socket.setSoTimeout(0);
                admit(request);
                routes.serve(request, out, answerHeaders);
            } catch (Refusal r) {
                drain = true;
                HttpAnswer.json(out, r.kind.status, error(r.kind, r.getMessage()), answerHeaders);
            } catch (ControlException e) {
                var kind = ErrorKind.of(e.kind());
                HttpAnswer.json(out, kind.status, error(kind, e.getMessage()), answerHeaders);
            } catch (EOFException | SocketException e) {
                LOG.debug("control client went away: {}", e.getMessage());
            } catch (IOException e) {
                LOG.debug("control connection failed: {}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("control request failed", e);
                HttpAnswer.json(out, 500, error(ErrorKind.SERVER_ERROR, ControlRoutes.clip(String.valueOf(e.getMessage()))), answerHeaders);
            }
            if (drain) drainAndClose(socket);
        } catch (IOException e) {
            LOG.debug("could not answer: {}", e.getMessage());
        } finally {
            open.remove(socket);
            closeQuietly(socket);
            connections.release();
        }
    }

    /** Host must name this loopback port (a web page cannot rebind a name to it), no browser Origin, the right token. */
    private void admit(HttpRequest request) {
        var host = request.header("host");
        if (host == null) throw new Refusal(ErrorKind.BAD_INPUT, "a Host header is required");
        if (!allowedHosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
            throw new Refusal(ErrorKind.FORBIDDEN, "Host '" + ControlRoutes.clip(host) + "' is not this server's loopback address");
        }
        if (request.header("origin") != null) {
            throw new Refusal(ErrorKind.FORBIDDEN, "requests from web pages (with an Origin header) are refused");
        }
        var auth = request.header("authorization");
        if (auth == null || !auth.startsWith("Bearer ")
                || !MessageDigest.isEqual(token, auth.substring(7).trim().getBytes(StandardCharsets.US_ASCII))) {
            throw new Refusal(ErrorKind.UNAUTHORISED, "missing or wrong bearer token");
        }
    }

    /**
     * After an early answer (the body may still be on its way): stop writing, read what the client
     * still sends for a moment, so closing does not reset the connection before it reads the answer.
     */
    private static void drainAndClose(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(1_000);
            InputStream in = socket.getInputStream();
            var sink = new byte[8192];
            long total = 0;
            while (total < 4L * HttpContract.MAX_BODY_BYTES) {
                int n = in.read(sink);
                if (n < 0) break;
                total += n;
            }
        } catch (IOException ignored) {
            // timed out or reset: the answer is written either way
        }
    }

    static Map<String, String> error(ErrorKind kind, String message) {
        var body = new LinkedHashMap<String, String>();
        body.put("error", message);
        body.put("kind", kind.wireName());
        return body;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /** Stops serving (open event streams end), and removes the control file if it is still ours. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (events != null) events.close();
        open.forEach(ControlServer::closeQuietly);
        try {
            acceptor.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (controlFile == null) return;
        try {
            if (Files.exists(controlFile) && ControlFile.read(controlFile).token().equals(published.token())) {
                Files.deleteIfExists(controlFile);
            }
        } catch (IOException e) {
            LOG.warn("could not remove control file {}: {}", controlFile, e.getMessage());
        }
    }
}
