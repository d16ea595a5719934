package dev.tether.control;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Where a route writes its one answer: a whole body, or a stream (server-sent events). */
interface Reply {
    void send(int status, String contentType, byte[] body, Map<String, String> headers) throws IOException;

    /** Commits the head and returns the body's stream; each flush reaches the client. */
    OutputStream stream(int status, String contentType, Map<String, String> headers) throws IOException;

    /** Whether the head has gone out (an error can then no longer be answered). */
    boolean committed();
}
