package dev.tether.control;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Map;

/** A {@link Reply} on a Jetty response, written blocking (handlers run on virtual threads). */
final class JettyReply implements Reply {
    private final Response response;
    private OutputStream stream;

    JettyReply(Response response) {
        this.response = response;
    }

    @Override
    public void send(int status, String contentType, byte[] body, Map<String, String> headers) throws IOException {
        head(status, contentType, headers);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
    }

    @Override
    public OutputStream stream(int status, String contentType, Map<String, String> headers) throws IOException {
        head(status, contentType, headers);
        stream = Content.Sink.asOutputStream(response);
        return stream;
    }

    private void head(int status, String contentType, Map<String, String> headers) {
        response.setStatus(status);
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, contentType);
        headers.forEach(h::put);
    }

    @Override
    public boolean committed() {
        return response.isCommitted();
    }

    /** Ends a stream the route left open (the last chunk). */
    void finish() throws IOException {
        if (stream != null) stream.close();
    }
}
