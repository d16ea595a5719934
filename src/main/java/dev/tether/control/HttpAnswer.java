package dev.tether.control;

import dev.tether.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answers of the control server: JSON, text (the scrape), or the head of an event stream. */
final class HttpAnswer {
    private HttpAnswer() {}

    /** Answers up to this size are sent whole (with their length, and an error can still be answered instead); larger ones stream. */
    static final int WHOLE_UP_TO = 64 * 1024;

    /**
     * A JSON answer, written as it is serialised: a large one (thousands of runs, a page of history)
     * goes out in chunks of the buffer's size and is never held whole, nor twice (as bytes and as
     * its string), in memory.
     */
    static void json(Reply reply, int status, Object body, Map<String, String> headers) throws IOException {
        var out = new Spilling(reply, status, common(headers, "no-store"));
        Json.mapper().writer().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, body);
        out.end();
    }

    /** Buffers up to {@link #WHOLE_UP_TO}; past that, opens the reply's stream and writes through it. */
    private static final class Spilling extends OutputStream {
        private final Reply reply;
        private final int status;
        private final Map<String, String> headers;
        private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream(4096);
        private OutputStream stream;

        Spilling(Reply reply, int status, Map<String, String> headers) {
            this.reply = reply;
            this.status = status;
            this.headers = headers;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (stream == null && buffer.size() + len <= WHOLE_UP_TO) {
                buffer.write(b, off, len);
                return;
            }
            if (stream == null) {
                stream = reply.stream(status, "application/json", headers);
                buffer.writeTo(stream);
                buffer.reset();
            }
            stream.write(b, off, len);
        }

        void end() throws IOException {
            if (stream == null) reply.send(status, "application/json", buffer.toByteArray(), headers);
            // a stream is ended by the handler, after the route returns
        }
    }

    /** A text answer (the Prometheus scrape). */
    static void text(Reply reply, int status, String contentType, String body, Map<String, String> headers) throws IOException {
        reply.send(status, contentType, body.getBytes(StandardCharsets.UTF_8), common(headers, "no-store"));
    }

    static OutputStream eventStream(Reply reply, Map<String, String> headers) throws IOException {
        return reply.stream(200, "text/event-stream", common(headers, "no-cache"));
    }

    private static Map<String, String> common(Map<String, String> headers, String cache) {
        var all = new LinkedHashMap<String, String>();
        all.put("Cache-Control", cache);
        all.put("X-Content-Type-Options", "nosniff");
        all.putAll(headers);
        return all;
    }
}
