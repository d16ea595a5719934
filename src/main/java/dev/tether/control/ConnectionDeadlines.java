package dev.tether.control;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the life of every connection by what it has done, so no client without the token can hold
 * one: from its opening it has {@link HttpContract#REQUEST_TIMEOUT} to deliver a request head (a
 * head trickled a byte a second is cut off there), and after its answer it is closed within
 * {@link HttpContract#LINGER}, whatever it still sends. Only the time a request is being handled
 * (a long wait, an event stream) is not bounded here; the handler bounds the body read itself.
 */
final class ConnectionDeadlines implements Connection.Listener {
    private final Scheduler scheduler;
    private final Duration requestTimeout;
    private final Duration linger;
    private final Map<Connection, Deadline> open = new ConcurrentHashMap<>();

    ConnectionDeadlines(Scheduler scheduler, Duration requestTimeout, Duration linger) {
        this.scheduler = scheduler;
        this.requestTimeout = requestTimeout;
        this.linger = linger;
    }

    private final class Deadline {
        private final Connection connection;
        private boolean handling;
        private Scheduler.Task task;

        Deadline(Connection connection) {
            this.connection = connection;
        }

        synchronized void arm(Duration after) {
            if (task != null) task.cancel();
            task = scheduler.schedule(this::expire, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        synchronized void cancel() {
            if (task != null) task.cancel();
        }

        private void expire() {
            synchronized (this) {
                if (handling) return; // the handler's end arms the linger
            }
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onOpened(Connection connection) {
        var d = new Deadline(connection);
        open.put(connection, d);
        d.arm(requestTimeout);
    }

    @Override
    public void onClosed(Connection connection) {
        var d = open.remove(connection);
        if (d != null) d.cancel();
    }

    /** A request of {@code connection} is in the handler: its deadline waits for the answer. */
    void handling(Connection connection) {
        var d = open.get(connection);
        if (d == null) return;
        synchronized (d) {
            d.handling = true;
        }
    }

    /** The answer is out: the connection is closed within the linger. */
    void answered(Connection connection) {
        var d = open.get(connection);
        if (d == null) return;
        synchronized (d) {
            d.handling = false;
            d.arm(linger);
        }
    }

    /** Connections open now (for tests and diagnostics). */
    int openConnections() {
        return open.size();
    }
}
