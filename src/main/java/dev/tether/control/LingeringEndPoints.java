package dev.tether.control;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;

/**
 * Connectors whose connections close gently: the output is shut (the client reads the answer to its
 * end) and what the client already sent is read and dropped before the socket is closed. Closing a
 * socket with unread input makes the kernel reset the connection, and a client that is still
 * sending (a body the server refused before reading it, or a request Jetty could not parse and
 * answered at once) then loses the answer it had already been sent.
 */
final class LingeringEndPoints {
    private LingeringEndPoints() {}

    /** At most this much is read and dropped at a close; the rest is the client's problem. */
    private static final int MAX_DISCARD = 4 * HttpContract.MAX_BODY_BYTES;

    static final class Tcp extends ServerConnector {
        Tcp(Server server, ConnectionFactory... factories) {
            super(server, 1, 1, factories);
        }

        @Override
        protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key) {
            var ep = new Gentle(channel, selector, key, getScheduler());
            ep.setIdleTimeout(getIdleTimeout());
            return ep;
        }
    }

    static final class Unix extends UnixDomainServerConnector {
        Unix(Server server, ConnectionFactory... factories) {
            super(server, 1, 1, factories);
        }

        @Override
        protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
            return new UnixDomainSelectorManager(executor, scheduler, selectors) {
                @Override
                protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
                    var ep = new Gentle((SocketChannel) channel, selector, key, getScheduler());
                    ep.setIdleTimeout(Unix.this.getIdleTimeout());
                    return ep;
                }
            };
        }
    }

    private static final class Gentle extends SocketChannelEndPoint {
        Gentle(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
            super(channel, selector, key, scheduler);
        }

        @Override
        public void doClose() {
            var channel = getChannel();
            if (channel.isOpen()) {
                try {
                    channel.shutdownOutput();
                    var sink = ByteBuffer.allocate(8192);
                    int dropped = 0;
                    int n;
                    while (dropped < MAX_DISCARD && (n = channel.read(sink.clear())) > 0) dropped += n; // non-blocking: what is there now
                } catch (IOException ignored) {
                    // gone already: nothing to protect
                }
            }
            super.doClose();
        }
    }
}
