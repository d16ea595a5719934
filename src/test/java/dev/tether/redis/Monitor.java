package dev.tether.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.UnifiedJedis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import static dev.tether.testing.Hang.eventually;

/**
 * Redis's MONITOR on a real server: the commands a client sent between this helper's start and
 * {@link #commandsSent()}, each as its name and first argument ("EVALSHA sha"), without those a
 * script ran inside. Bracketed by two markers the client itself sends (a PING with a message, which
 * every role may send), so nothing before or after is counted.
 */
final class Monitor implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^[\\d.]+ \\[\\d+ ([^\\]]+)\\] \"([^\"]*)\"(?: \"([^\"]*)\")?.*$");

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Jedis connection;
    private final UnifiedJedis client;
    private final Thread thread;
    private final String start = "monitor-start-" + System.nanoTime();

    private Monitor(RealRedis server, UnifiedJedis client) {
        this.client = client;
        this.connection = new Jedis("127.0.0.1", server.port);
        this.thread = Thread.ofPlatform().daemon().start(() -> {
            try {
                connection.monitor(new JedisMonitor() {
                    @Override
                    public void onCommand(String command) {
                        lines.add(command);
                    }
                });
            } catch (RuntimeException closed) { // close() ends it
            }
        });
    }

    /** Watches what {@code client} sends to {@code server} from now on. */
    static Monitor of(RealRedis server, UnifiedJedis client) {
        var m = new Monitor(server, client);
        eventually().until(() -> {
            m.mark(m.start);
            return m.lines.stream().anyMatch(l -> l.contains(m.start));
        });
        return m;
    }

    private void mark(String marker) {
        client.sendCommand(redis.clients.jedis.Protocol.Command.PING, marker);
    }

    /** The commands sent since the start, scripts' own calls left out. */
    List<String> commandsSent() {
        var end = "monitor-end-" + System.nanoTime();
        mark(end);
        eventually().until(() -> lines.stream().anyMatch(l -> l.contains(end)));
        var out = new ArrayList<String>();
        boolean in = false;
        for (var l : lines) {
            if (l.contains(start)) in = true; // the last start marker: the earlier ones may have crossed the monitor's start
            else if (l.contains(end)) break;
            else if (in) {
                var m = LINE.matcher(l);
                if (m.matches() && !m.group(1).equals("lua") && !m.group(1).endsWith(" lua") && !housekeeping(m.group(2), m.group(3))) {
                    out.add(m.group(3) == null ? m.group(2).toUpperCase() : m.group(2).toUpperCase() + " " + m.group(3));
                }
            }
        }
        return out;
    }

    /** The pool's own traffic, which may fall between the markers: an idle connection's check, a new connection's handshake. */
    private static boolean housekeeping(String command, String firstArgument) {
        var c = command.toUpperCase();
        return (c.equals("PING") && firstArgument == null) || c.equals("HELLO") || c.equals("CLIENT");
    }

    @Override
    public void close() throws InterruptedException {
        connection.disconnect();
        thread.join(10_000);
    }
}
