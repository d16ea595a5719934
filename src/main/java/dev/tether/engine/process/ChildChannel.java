package dev.tether.engine.process;

import dev.tether.logging.SafeText;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The protocol's own channel between a parent and one child JVM: a Unix-domain socket, not the
 * child's stdout. Its stdin, stdout and stderr are shared with every tool a node starts
 * ({@code ProcessBuilder.inheritIO()} is common), so nothing a tool prints, reads or leaves half
 * written can reach the protocol. The socket file lives in a folder only the user can enter, exists
 * only until the child has connected, and the child proves it is the one started for it with a nonce
 * it got on stdin before any node ran. Descriptors beyond 0-2 are not inherited by processes the JVM
 * starts, so the nodes' tools never hold the socket either.
 *
 * <p>Messages are JSON lines of at most {@link #MAX_MESSAGE} bytes; a longer or unreadable line is a
 * {@link ProtocolBreach}. A thread of its own reads and another writes: a socket channel is closed
 * for good when a thread using it is interrupted, and both ends have threads that are (a cancel
 * interrupts a child's run thread, which reports the run's facts).
 */
public final class ChildChannel implements AutoCloseable {
    /** The longest message either side sends or takes: a checkpoint's state travels in one. */
    public static final int MAX_MESSAGE = 32 * 1024 * 1024;
    /** Messages read ahead or waiting to be written; beyond that the other side waits (a checkpoint may be large). */
    private static final int QUEUED = 64;
    private static final Object END = new Object();
    private static final byte[] CLOSE = new byte[0];

    private final SocketChannel socket;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>(QUEUED);
    private final BlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>(QUEUED);
    private volatile boolean ended, closed;
    private volatile IOException writeFailure;

    private ChildChannel(SocketChannel socket) {
        this.socket = socket;
        // Platform threads: a virtual thread blocked on a socket is woken through a poller, one more
        // hand-off on every message's way (a cancel's included).
        Thread.ofPlatform().daemon().name("tether-channel-reader").start(this::readLoop);
        Thread.ofPlatform().daemon().name("tether-channel-writer").start(this::writeLoop);
    }
    /** The parent's end before the child connects: the socket file, removed once the child is in. */
    static final class Listener implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Path path;

        private Listener(ServerSocketChannel server, Path path) {
            this.server = server;
            this.path = path;
        }

        Path path() {
            return path;
        }

        /**
         * Waits for the child to connect, up to {@code timeout} and only while {@code worthWaiting}
         * (a child that died will never connect).
         */
        ChildChannel accept(Duration timeout, BooleanSupplier worthWaiting) throws IOException {
            long end = System.nanoTime() + timeout.toNanos();
            server.configureBlocking(false);
            try (var selector = Selector.open()) {
                server.register(selector, SelectionKey.OP_ACCEPT);
                while (true) {
                    var socket = server.accept();
                    if (socket != null) {
                        socket.configureBlocking(true);
                        return new ChildChannel(socket);
                    }
                    long left = end - System.nanoTime();
                    if (left <= 0) throw new IOException("it did not connect within " + timeout.toSeconds() + " s");
                    if (!worthWaiting.getAsBoolean()) throw new IOException("it ended before it connected");
                    selector.select(Math.max(1, Math.min(200, left / 1_000_000)));
                    selector.selectedKeys().clear();
                }
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // nothing to release beyond the file
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // the folder goes with the pool
            }
        }
    }

    /** Listens at {@code path} (in a folder only this user can enter). */
    static Listener listen(Path path) throws IOException {
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new Listener(server, path);
    }

    /** The child's end. */
    static ChildChannel connect(Path path) throws IOException {
        var socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return new ChildChannel(socket);
    }

    private void readLoop() {
        var reader = new BoundedLineReader(input(socket), MAX_MESSAGE, false);
        try {
            while (true) {
                var line = reader.next();
                // a writer that died in the middle of a message: its channel simply ended
                if (line == null || line.unterminated() && !line.cut()) break;
                if (line.cut()) {
                    deliver(new ProtocolBreach("a message longer than " + MAX_MESSAGE + " bytes"));
                    break;
                }
                Object item;
                try {
                    item = ChildMessage.parse(line.text());
                } catch (IllegalArgumentException e) {
                    item = new ProtocolBreach("an unreadable message (" + e.getMessage() + "): " + SafeText.line(line.text(), 120));
                }
                deliver(item);
                if (item instanceof ProtocolBreach) break; // nothing after it is to be trusted
            }
        } catch (IOException e) {
            // closed here, or broken: the end either way
        } finally {
            deliver(END);
        }
    }

    /** Hands a message to whoever reads; once the channel is closed here, nobody will. */
    private void deliver(Object item) {
        try {
            while (!closed && !inbox.offer(item, 50, TimeUnit.MILLISECONDS)) {
                // the reader is behind: wait for it
            }
        } catch (InterruptedException e) {
            // only this channel's own thread: nothing interrupts it
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                var bytes = takeQuietly(outbox);
                if (bytes == CLOSE) return;
                var buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) socket.write(buffer);
            }
        } catch (IOException e) {
            writeFailure = e;
            outbox.clear();
        }
    }

    /**
     * The next message; null once the other side closed the channel (from then on, always null).
     *
     * @throws ProtocolBreach for a line that is too long or not a message
     */
    ChildMessage next() throws ProtocolBreach {
        return item(takeQuietly(inbox));
    }

    /**
     * Like {@link #next()}, waiting at most {@code timeout}.
     *
     * @throws TimeoutException when nothing came in time
     */
    ChildMessage next(Duration timeout) throws ProtocolBreach, TimeoutException {
        Object item;
        try {
            item = inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        }
        if (item == null) throw new TimeoutException("nothing within " + timeout.toMillis() + " ms");
        return item(item);
    }

    private ChildMessage item(Object item) throws ProtocolBreach {
        if (item == END) {
            ended = true;
            putQuietly(inbox, END); // the end stays the end for every later call
            return null;
        }
        if (item instanceof ProtocolBreach b) throw b;
        return (ChildMessage) item;
    }

    /** Queues a message for the other side. @throws IOException once the channel is broken, or for a message too long */
    void send(ChildMessage message) throws IOException {
        var failed = writeFailure;
        if (failed != null) throw failed;
        if (!socket.isOpen()) throw new IOException("the channel is closed");
        var bytes = (message.toLine() + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE) throw new IOException("a message of " + bytes.length + " bytes is longer than the channel takes");
        putQuietly(outbox, bytes);
        if (closed) outbox.clear();
    }

    /** Whether nothing has arrived that nobody asked for, and the other side is still there: true for a child that sat idle as it should. */
    boolean quiet() {
        return !ended && inbox.isEmpty() && socket.isOpen() && writeFailure == null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closed is closed
        }
        inbox.clear();
        inbox.offer(END);
        outbox.clear();
        outbox.offer(CLOSE);
    }

    /** Waits for room however often the thread is interrupted (a cancel interrupts a child's run thread); the interrupt is kept. */
    private static <T> void putQuietly(BlockingQueue<T> queue, T item) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(item);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static <T> T takeQuietly(BlockingQueue<T> queue) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static InputStream input(SocketChannel socket) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                var one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return socket.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }
}
