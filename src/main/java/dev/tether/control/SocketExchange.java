package dev.tether.control;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.util.BufferUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request and its answer over the control socket, written and read by Jetty's HTTP
 * codec (the JDK's clients cannot speak over a Unix-domain socket). Before a byte is sent, the
 * kernel is asked who serves the socket: a process of another user never sees the token.
 */
final class SocketExchange {
    private SocketExchange() {}

    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** The socket is served by another user's process: nothing was sent. */
    static final class ForeignPeer extends IOException {
        ForeignPeer(String user) {
            super(user);
        }
    }

    static Answer send(Path socket, String method, String target, Map<String, String> headers, byte[] body, int readMillis)
            throws IOException {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            if (channel.supportedOptions().contains(jdk.net.ExtendedSocketOptions.SO_PEERCRED)) { // Linux, macOS
                var peer = channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
                if (!peer.user().equals(ControlSocket.me())) throw new ForeignPeer(peer.user().getName());
            }
            try {
                write(channel, method, target, headers, body);
            } catch (IOException closedEarly) {
                // The server answered before it read everything (a request it could not parse) and closed:
                // its answer is still there to read.
                try {
                    return read(channel, readMillis);
                } catch (IOException noAnswer) {
                    closedEarly.addSuppressed(noAnswer);
                    throw closedEarly;
                }
            }
            return read(channel, readMillis);
        }
    }

    private static void write(SocketChannel channel, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        var fields = HttpFields.build();
        fields.put(HttpHeader.HOST, "localhost");
        headers.forEach(fields::put);
        var info = new MetaData.Request(method, HttpURI.from(target), HttpVersion.HTTP_1_1, fields, body == null ? 0 : body.length);
        var generator = new HttpGenerator();
        ByteBuffer header = null;
        var content = body == null ? null : ByteBuffer.wrap(body);
        while (true) {
            switch (generator.generateRequest(info, header, null, content, true)) {
                case NEED_HEADER -> header = BufferUtil.allocate(HttpContract.MAX_HEAD_BYTES);
                case FLUSH -> {
                    if (header != null) writeAll(channel, header);
                    if (content != null) writeAll(channel, content);
                }
                case SHUTDOWN_OUT, DONE -> {
                    return;
                }
                case CONTINUE -> {
                    // the generator moves on
                }
                default -> throw new IOException("cannot write the request (" + generator.getState() + ")");
            }
        }
    }

    private static void writeAll(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    private static Answer read(SocketChannel channel, int readMillis) throws IOException {
        var collector = new Collector();
        var parser = new HttpParser(collector);
        channel.configureBlocking(false);
        try (var selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            var buffer = BufferUtil.allocate(16 * 1024);
            long deadline = System.nanoTime() + readMillis * 1_000_000L;
            while (!collector.complete) {
                BufferUtil.compact(buffer);
                int position = BufferUtil.flipToFill(buffer);
                int n = channel.read(buffer);
                BufferUtil.flipToFlush(buffer, position);
                if (n < 0) {
                    parser.atEOF();
                    parser.parseNext(buffer);
                    break;
                }
                if (n == 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) throw new SocketTimeoutException("no answer within " + readMillis + " ms");
                    selector.select(left);
                    continue;
                }
                parser.parseNext(buffer); // takes what it can; the rest waits for more bytes
            }
        }
        if (collector.failure != null) throw new IOException(collector.failure);
        if (!collector.complete) throw new IOException("the answer ended early");
        return new Answer(collector.status, collector.headers, collector.body.toByteArray());
    }

    /** Gathers the answer as the parser reads it. */
    private static final class Collector implements HttpParser.ResponseHandler {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        String failure;

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.status = status;
        }

        @Override
        public void parsedHeader(HttpField field) {
            headers.putIfAbsent(field.getLowerCaseName(), field.getValue());
        }

        @Override
        public boolean headerComplete() {
            return false;
        }

        @Override
        public boolean content(ByteBuffer buffer) {
            var bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            body.writeBytes(bytes);
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            complete = true;
            return true;
        }

        @Override
        public void earlyEOF() {
            failure = "the answer ended early";
        }

        @Override
        public void badMessage(org.eclipse.jetty.http.HttpException failure) {
            this.failure = "malformed answer: " + failure.getReason();
        }
    }
}
