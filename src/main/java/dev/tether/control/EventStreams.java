package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import dev.tether.json.Json;
import dev.tether.registry.RunRegistry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The server-sent event streams of the control API: one {@code run} event with the snapshot per
 * changed run (coalesced: the newest snapshot), a comment every 15 s to keep the line alive. At
 * most {@link HttpContract#MAX_EVENT_STREAMS} at once, so watchers cannot use up the connections.
 */
final class EventStreams {
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final RunRegistry registry;
    private final Semaphore slots = new Semaphore(HttpContract.MAX_EVENT_STREAMS);
    private final Set<Thread> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    EventStreams(RunRegistry registry) {
        this.registry = registry;
    }

    /** Streams until the client goes away or the server closes. */
    void serve(Reply reply, Map<String, String> headers) throws IOException {
        if (closed) throw new Refusal(ErrorKind.UNAVAILABLE, "shutting down");
        if (!slots.tryAcquire()) {
            throw new Refusal(ErrorKind.UNAVAILABLE, "too many event streams open (at most " + HttpContract.MAX_EVENT_STREAMS + ")");
        }
        var self = Thread.currentThread();
        open.add(self);
        try (var feed = registry.openFeed()) {
            var out = HttpAnswer.eventStream(reply, headers);
            out.write(": connected\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!closed) {
                if (!feed.await(KEEP_ALIVE)) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    for (var run : feed.drain()) {
                        out.write(("event: run\ndata: " + Json.write(run) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(self);
            slots.release();
        }
    }

    void close() {
        closed = true;
        open.forEach(Thread::interrupt);
    }
}
