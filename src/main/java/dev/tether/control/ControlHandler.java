package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every parsed request of a {@link ControlServer}: who may ask, then the body within its deadline,
 * then the {@link Route}. Who may ask: the bearer token; on loopback TCP also a {@code Host} naming
 * this port (a web page cannot rebind a name to it) and no browser {@code Origin}. A client without
 * the token learns nothing, not even the instance id; the body of a refused request is never read.
 */
final class ControlHandler extends Handler.Abstract {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlHandler.class);

    private final byte[] token;
    private final Route routes;
    /** On every answer to an admitted request: the instance id. */
    private final Map<String, String> admittedHeaders;
    private final ConnectionDeadlines deadlines;
    private volatile Set<String> tcpHosts = Set.of();
    private volatile boolean closed;

    ControlHandler(byte[] token, Route routes, Map<String, String> admittedHeaders, ConnectionDeadlines deadlines) {
        this.token = token;
        this.routes = routes;
        this.admittedHeaders = admittedHeaders;
        this.deadlines = deadlines;
    }

    /** The {@code Host} values a TCP request may carry: this port's loopback names. */
    void tcpPort(int port, String loopbackAddress) {
        tcpHosts = Set.copyOf(java.util.List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, loopbackAddress + ":" + port));
    }

    void close() {
        closed = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var connection = request.getConnectionMetaData().getConnection();
        deadlines.handling(connection);
        var reply = new JettyReply(response);
        try {
            serve(request, reply);
            reply.finish();
            callback.succeeded();
        } catch (Throwable t) {
            callback.failed(t);
        } finally {
            deadlines.answered(connection);
        }
        return true;
    }

    private void serve(Request request, Reply reply) throws IOException {
        var headers = headers(request);
        boolean admitted = false;
        try {
            if (closed) throw new Refusal(ErrorKind.UNAVAILABLE, "shutting down");
            admit(request, headers);
            admitted = true;
            var body = body(request, headers);
            var uri = request.getHttpURI();
            routes.serve(HttpRequest.of(request.getMethod(), uri.getPath(), uri.getQuery(), headers, body), reply, admittedHeaders);
        } catch (Refusal r) {
            answer(reply, r.kind, r.getMessage(), admitted);
        } catch (ControlException e) {
            answer(reply, ErrorKind.of(e.kind()), e.getMessage(), admitted);
        } catch (IOException e) {
            LOG.debug("control client went away: {}", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("control request failed", e);
            answer(reply, ErrorKind.SERVER_ERROR, ControlRoutes.clip(String.valueOf(e.getMessage())), admitted);
        }
    }

    /** An error answer; it names the instance only to a client that showed the token. */
    private void answer(Reply reply, ErrorKind kind, String message, boolean admitted) throws IOException {
        if (reply.committed()) throw new IOException("failed after its answer began: " + message);
        HttpAnswer.json(reply, kind.status, error(kind, message), admitted ? admittedHeaders : Map.of());
    }

    private void admit(Request request, Map<String, String> headers) {
        if (request.getConnectionMetaData().getLocalSocketAddress() instanceof InetSocketAddress) {
            var host = headers.get("host");
            if (host == null) throw new Refusal(ErrorKind.BAD_INPUT, "a Host header is required");
            if (!tcpHosts.contains(host.toLowerCase(Locale.ROOT))) {
                throw new Refusal(ErrorKind.FORBIDDEN, "Host '" + ControlRoutes.clip(host) + "' is not this server's loopback address");
            }
        }
        if (headers.get("origin") != null) {
            throw new Refusal(ErrorKind.FORBIDDEN, "requests from web pages (with an Origin header) are refused");
        }
        var auth = headers.get("authorization");
        if (auth == null || !auth.startsWith("Bearer ")
                || !MessageDigest.isEqual(token, auth.substring(7).trim().getBytes(StandardCharsets.US_ASCII))) {
            throw new Refusal(ErrorKind.UNAUTHORISED, "missing or wrong bearer token");
        }
    }

    /** The body, whole, within what is left of the request's time; refused before a byte is read when it cannot fit. */
    private static byte[] body(Request request, Map<String, String> headers) throws IOException {
        if (headers.containsKey("transfer-encoding")) {
            throw new Refusal(ErrorKind.LENGTH_REQUIRED, "send the body with a Content-Length (chunked bodies are not accepted)");
        }
        long length = request.getHeaders().getLongField(org.eclipse.jetty.http.HttpHeader.CONTENT_LENGTH);
        if (length <= 0) return new byte[0];
        if (length > HttpContract.MAX_BODY_BYTES) {
            throw new Refusal(ErrorKind.BODY_TOO_LARGE, "request body of " + length + " bytes is larger than the limit of "
                    + HttpContract.MAX_BODY_BYTES + " bytes");
        }
        long left = HttpContract.REQUEST_TIMEOUT.toNanos() - (System.nanoTime() - request.getBeginNanoTime());
        try {
            return Content.Source.asByteArrayAsync(request, HttpContract.MAX_BODY_BYTES).get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Refusal(ErrorKind.REQUEST_TIMEOUT, "the request was not received within " + HttpContract.REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new Refusal(ErrorKind.BAD_INPUT, "request body shorter than its Content-Length");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(ErrorKind.UNAVAILABLE, "shutting down");
        }
    }

    /** Header names in lower case, the first value of each. */
    private static Map<String, String> headers(Request request) {
        var out = new LinkedHashMap<String, String>();
        for (var field : request.getHeaders()) out.putIfAbsent(field.getLowerCaseName(), field.getValue());
        return out;
    }

    static Map<String, String> error(ErrorKind kind, String message) {
        var body = new LinkedHashMap<String, String>();
        body.put("error", message);
        body.put("kind", kind.wireName());
        return body;
    }
}
