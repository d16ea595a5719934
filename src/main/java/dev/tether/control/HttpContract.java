package dev.tether.control;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The control API as both ends see it: endpoints, error kinds with their HTTP status, headers and
 * limits. The server routes and answers by it, the client builds requests and reads errors by it,
 * so the two can never disagree about a path or what a status means.
 */
public final class HttpContract {
    private HttpContract() {}

    /** Largest request body accepted (a submit with a generous input); larger is {@code 413}. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Largest request line plus headers; larger is {@code 431}. */
    public static final int MAX_HEAD_BYTES = 8 * 1024;
    /**
     * Connections open at once on the optional loopback TCP port; beyond it, new ones wait in the
     * kernel's queue until one closes. The socket has no such limit: only its owner can connect.
     */
    public static final int MAX_TCP_CONNECTIONS = 512;
    /** Event streams open at once; more are {@code 503}. */
    public static final int MAX_EVENT_STREAMS = 8;
    /**
     * Time a connection has, from the moment it is opened, to deliver its whole request (head and
     * body): a head not complete by then is closed unanswered, a body not complete is {@code 408}.
     */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * After its answer, how long a connection is still read from (what the client sent beyond what
     * was read is discarded) before it is closed, so the client reads the answer before a reset.
     */
    public static final Duration LINGER = Duration.ofSeconds(2);
    /** Longest {@code waitMillis} a run request may ask for. */
    public static final long MAX_WAIT_MILLIS = 10 * 60_000L;
    /** Submits remembered by their request id (the newest); an older id may create a new run. */
    public static final int REMEMBERED_REQUEST_IDS = 10_000;

    /** A client's id for one submit: the same id answers the same run, never a second one. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** On every answer to a request with the token: the instance id from the control file, so a client knows who answered. */
    public static final String INSTANCE_HEADER = "Tether-Instance";
    /** On a submit answered from an earlier request with the same id. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    public enum Endpoint {
        HELLO("GET", "hello"),
        GRAPHS("GET", "graphs"),
        LIST("GET", "runs"),
        HISTORY("GET", "history"),
        RUN("GET", "runs", "{id}"),
        SUBMIT("POST", "runs"),
        CANCEL("POST", "runs", "{id}", "cancel"),
        CANCEL_ALL("POST", "cancel-all"),
        RESUME("POST", "runs", "{id}", "resume"),
        CHECKPOINTS("GET", "runs", "{id}", "checkpoints"),
        ATTEMPTS("GET", "runs", "{id}", "attempts"),
        STATS("GET", "stats"),
        EVENTS("GET", "events");

        public final String method;
        private final List<String> segments;

        Endpoint(String method, String... segments) {
            this.method = method;
            this.segments = List.of(segments);
        }

        /** The path with {@code id} (if the endpoint names a run) percent-encoded in place. */
        public String path(String id) {
            var out = new StringBuilder("/api");
            for (var s : segments) {
                out.append('/').append(s.equals("{id}") ? URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") : s);
            }
            return out.toString();
        }

        public String path() {
            if (segments.contains("{id}")) throw new IllegalStateException(this + " names a run");
            return path(null);
        }

        /** The run id in {@code decoded} (the path's segments after /api) if this endpoint's shape fits, else null. */
        String[] match(List<String> decoded) {
            if (decoded.size() != segments.size()) return null;
            String id = null;
            for (int i = 0; i < segments.size(); i++) {
                var want = segments.get(i);
                if (want.equals("{id}")) id = decoded.get(i);
                else if (!want.equals(decoded.get(i))) return null;
            }
            return new String[] {id};
        }
    }

    /** What went wrong, as the server says it ({@code {"error": ..., "kind": ...}}) and the client reads it. */
    public enum ErrorKind {
        BAD_INPUT(400, ControlException.Kind.BAD_INPUT),
        UNAUTHORISED(401, ControlException.Kind.UNREACHABLE),
        FORBIDDEN(403, ControlException.Kind.UNREACHABLE),
        UNKNOWN_RUN(404, ControlException.Kind.UNKNOWN_RUN),
        NO_ENDPOINT(404, ControlException.Kind.BAD_INPUT),
        METHOD_NOT_ALLOWED(405, ControlException.Kind.BAD_INPUT),
        REQUEST_TIMEOUT(408, ControlException.Kind.BAD_INPUT),
        REQUEST_ID_REUSED(409, ControlException.Kind.BAD_INPUT),
        NOT_RESUMABLE(409, ControlException.Kind.NOT_RESUMABLE),
        LENGTH_REQUIRED(411, ControlException.Kind.BAD_INPUT),
        BODY_TOO_LARGE(413, ControlException.Kind.BAD_INPUT),
        HEAD_TOO_LARGE(431, ControlException.Kind.BAD_INPUT),
        SERVER_ERROR(500, ControlException.Kind.SERVER_ERROR),
        UNAVAILABLE(503, ControlException.Kind.UNREACHABLE);

        public final int status;
        /** How the command line treats it (its exit code). */
        public final ControlException.Kind clientKind;

        ErrorKind(int status, ControlException.Kind clientKind) {
            this.status = status;
            this.clientKind = clientKind;
        }

        /** The name in the error body: {@code bad-input}, {@code unknown-run}, ... */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The kind named in an error body, or else the first kind with that status. */
        public static ErrorKind of(String wireName, int status) {
            if (wireName != null) {
                for (var k : values()) if (k.wireName().equals(wireName)) return k;
            }
            return Arrays.stream(values()).filter(k -> k.status == status).findFirst().orElse(SERVER_ERROR);
        }

        /** The kind the server answers for an exception the engine side raised. */
        public static ErrorKind of(ControlException.Kind kind) {
            return switch (kind) {
                case BAD_INPUT -> BAD_INPUT;
                case UNKNOWN_RUN -> UNKNOWN_RUN;
                case UNREACHABLE -> UNAVAILABLE;
                case SERVER_ERROR -> SERVER_ERROR;
                case NOT_RESUMABLE -> NOT_RESUMABLE;
            };
        }
    }

    /** A request the server answers with an error: its kind (status) and one line. */
    public static final class Refusal extends RuntimeException {
        public final ErrorKind kind;

        public Refusal(ErrorKind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }
    }
}
