package dev.tether.redis;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A real redis-server process (the binary embedded-redis ships) on a free loopback port, without
 * persistence. Never a mock: if it cannot start, the test fails (it is not skipped).
 */
final class RealRedis implements AutoCloseable {
    final int port;
    private final List<String> settings;
    private RedisServer server;

    private RealRedis(int port, List<String> settings) {
        this.port = port;
        this.settings = settings;
    }

    static RealRedis start(String... extraSettings) throws IOException {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var settings = new ArrayList<>(List.of("bind 127.0.0.1", "save \"\"", "appendonly no"));
        settings.addAll(List.of(extraSettings));
        var r = new RealRedis(port, settings);
        r.startServer();
        return r;
    }

    private void startServer() throws IOException {
        var b = RedisServer.newRedisServer().port(port);
        for (var s : settings) b.setting(s);
        server = b.build();
        server.start();
    }

    /** Stops and starts the server on the same port (it comes back empty: no persistence). */
    void restart() throws IOException {
        server.stop();
        startServer();
    }

    void stop() throws IOException {
        server.stop();
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        if (server != null && server.isActive()) server.stop();
    }
}
