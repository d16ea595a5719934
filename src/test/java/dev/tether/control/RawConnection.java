package dev.tether.control;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/** A client connection to a control server over its socket or TCP port, as plain streams with a read timeout. */
final class RawConnection implements Closeable {
    private final SocketChannel channel;
    private final Selector selector;
    private final int timeoutMillis;

    private RawConnection(SocketChannel channel, int timeoutMillis) throws IOException {
        this.channel = channel;
        this.timeoutMillis = timeoutMillis;
        channel.configureBlocking(false);
        this.selector = Selector.open();
    }

    static RawConnection open(SocketAddress address, int timeoutMillis) throws IOException {
        var channel = address instanceof UnixDomainSocketAddress ? SocketChannel.open(java.net.StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(address);
            return new RawConnection(channel, timeoutMillis);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private void await(int op) throws IOException {
        var key = channel.register(selector, op);
        try {
            if (selector.select(timeoutMillis) == 0) throw new SocketTimeoutException("nothing within " + timeoutMillis + " ms");
            selector.selectedKeys().clear();
        } finally {
            key.interestOps(0);
        }
    }

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            var buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                if (channel.write(buf) == 0) await(SelectionKey.OP_WRITE);
            }
        }
    };

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (true) {
                int n = channel.read(ByteBuffer.wrap(b, off, len));
                if (n != 0) return n;
                await(SelectionKey.OP_READ);
            }
        }
    };

    OutputStream getOutputStream() {
        return out;
    }

    InputStream getInputStream() {
        return in;
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
