package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.json.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * What the server answers to a request it could not even parse (a bad request line, a head over
 * {@link HttpContract#MAX_HEAD_BYTES}, a broken header): the same one-line JSON error as every
 * other, never an HTML page, with the contract's status and kind: a status the contract does not
 * know (505 for an HTTP/0.9 request line, 414 for a long one) becomes its nearest kind.
 */
final class JsonErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var kind = kindOf(response.getStatus());
        int status = kind.status;
        response.setStatus(status);
        var message = request.getAttribute(ErrorHandler.ERROR_MESSAGE) instanceof String m && !m.isBlank() ? m : HttpStatus.getMessage(status);
        byte[] body;
        try {
            body = Json.mapper().writeValueAsBytes(ControlHandler.error(kind, ControlRoutes.clip(message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            callback.failed(e);
            return true;
        }
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, "application/json");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** The contract's kind for a status the server chose: its own where the table has it, else the nearest. */
    static ErrorKind kindOf(int status) {
        if (status == 414) return ErrorKind.HEAD_TOO_LARGE;
        if (status == 505) return ErrorKind.BAD_INPUT;
        for (var k : ErrorKind.values()) {
            if (k.status == status && k != ErrorKind.UNKNOWN_RUN && k != ErrorKind.NOT_RESUMABLE) return k;
        }
        return status < 500 ? ErrorKind.BAD_INPUT : ErrorKind.SERVER_ERROR;
    }

}
