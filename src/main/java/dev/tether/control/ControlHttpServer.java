package dev.tether.control;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.Executors;

/**
 * The HTTP server under a {@link ControlServer}: Jetty 12, on a Unix-domain socket, on loopback TCP,
 * or both. Requests are parsed without holding a thread (a slow client costs a file descriptor, not
 * a slot) and handled on virtual threads (a ten-minute wait or an event stream holds nothing
 * scarce). Every connection lives by {@link ConnectionDeadlines}; the TCP port also by
 * {@link HttpContract#MAX_TCP_CONNECTIONS}. An {@code accept()} that fails (out of file
 * descriptors, say) is logged and retried by Jetty's acceptor, which never gives up while running.
 */
final class ControlHttpServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlHttpServer.class);

    private final Server server;
    private final ServerConnector tcp;
    private final ConnectionDeadlines deadlines;
    private final Path socket;

    private ControlHttpServer(Server server, ServerConnector tcp, ConnectionDeadlines deadlines, Path socket) {
        this.server = server;
        this.tcp = tcp;
        this.deadlines = deadlines;
        this.socket = socket;
    }

    /** What the handler is given once the server knows its deadlines. */
    interface HandlerFactory {
        ControlHandler create(ConnectionDeadlines deadlines);
    }

    /**
     * Starts serving on {@code socket} (null: none) and on loopback TCP port {@code tcpPort} (null:
     * none; 0: any free port).
     */
    static ControlHttpServer start(String name, Path socket, Integer tcpPort, HandlerFactory handlers) throws IOException {
        var threads = new QueuedThreadPool(16, 2);
        threads.setName(name);
        threads.setDaemon(true);
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-request-", 0).factory()));
        var scheduler = new ScheduledExecutorScheduler(name + "-timer", true);
        var server = new Server(threads, scheduler, null);
        server.setStopTimeout(1_000);
        server.setErrorHandler(new JsonErrors());

        var config = new HttpConfiguration();
        config.setRequestHeaderSize(HttpContract.MAX_HEAD_BYTES);
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        // The API decodes and checks paths itself (HttpRequest): an encoded slash or dot is its business, not a reason to refuse.
        config.setUriCompliance(org.eclipse.jetty.http.UriCompliance.UNSAFE);
        config.setPersistentConnectionsEnabled(false); // one request per connection: its deadlines are the connection's
        var http = new HttpConnectionFactory(config);
        // Long enough for the longest wait a request may ask for: the deadlines bound everything before and after it.
        long idle = HttpContract.MAX_WAIT_MILLIS + 60_000;

        var deadlines = new ConnectionDeadlines(scheduler, HttpContract.REQUEST_TIMEOUT, HttpContract.LINGER);
        var handler = handlers.create(deadlines);
        server.setHandler(handler);

        if (socket != null) {
            Files.deleteIfExists(socket); // left by a killed instance: the caller holds the home's lock
            var uds = new LingeringEndPoints.Unix(server, http);
            uds.setUnixDomainPath(socket);
            uds.setAcceptQueueSize(128);
            uds.setIdleTimeout(idle);
            uds.addEventListener(deadlines);
            uds.addEventListener(new SameUserOnly());
            server.addConnector(uds);
        }
        ServerConnector tcp = null;
        if (tcpPort != null) {
            tcp = new LingeringEndPoints.Tcp(server, http);
            tcp.setHost(InetAddress.getLoopbackAddress().getHostAddress());
            tcp.setPort(tcpPort);
            tcp.setAcceptQueueSize(128);
            tcp.setIdleTimeout(idle);
            tcp.addEventListener(deadlines);
            server.addBean(new ConnectionLimit(HttpContract.MAX_TCP_CONNECTIONS, tcp));
            server.addConnector(tcp);
        }
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            if (e instanceof IOException io) throw io;
            throw new IOException(e.getMessage(), e);
        }
        if (socket != null) {
            try {
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // the folder's permissions and the peer check still apply
            }
        }
        if (tcp != null) handler.tcpPort(tcp.getLocalPort(), InetAddress.getLoopbackAddress().getHostAddress());
        return new ControlHttpServer(server, tcp, deadlines, socket);
    }

    /** The bound TCP port, or -1 without one. */
    int tcpPort() {
        return tcp == null ? -1 : tcp.getLocalPort();
    }

    int openConnections() {
        return deadlines.openConnections();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("control HTTP server stop: {}", e.toString());
        }
        if (socket != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // a later start removes it
            }
        }
    }

    /** Drops a socket connection from another user (root included) before it is read: the folder's permissions, checked twice. */
    private static final class SameUserOnly implements Connection.Listener {
        private final UserPrincipal me;

        SameUserOnly() throws IOException {
            this.me = ControlSocket.me();
        }

        @Override
        public void onOpened(Connection connection) {
            if (!(connection.getEndPoint() instanceof SocketChannelEndPoint ep)) return;
            try {
                var channel = ep.getChannel();
                if (!(channel.getLocalAddress() instanceof UnixDomainSocketAddress)) return;
                // Where the platform cannot tell (Windows), the socket's folder and file permissions are the guard.
                if (!channel.supportedOptions().contains(jdk.net.ExtendedSocketOptions.SO_PEERCRED)) return;
                var peer = channel.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
                if (!peer.user().equals(me)) {
                    LOG.warn("control socket: refused a connection from user {}", peer.user().getName());
                    ep.close();
                }
            } catch (IOException | UnsupportedOperationException e) {
                LOG.warn("control socket: cannot tell who connected ({}); refused", e.toString());
                ep.close();
            }
        }

        @Override
        public void onClosed(Connection connection) {}
    }
}
