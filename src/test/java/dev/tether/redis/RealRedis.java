package dev.tether.redis;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A real redis-server process (the binary embedded-redis ships, 6.2, or the one named by
 * {@value #BINARY_ENV} to check another version) on a free loopback port, without persistence.
 * Never a mock: if it cannot start, the test fails (it is not skipped).
 */
public final class RealRedis implements AutoCloseable {
    static final String BINARY_ENV = "TETHER_TEST_REDIS_SERVER";
    final int port;
    /** The TLS port, or 0 for a plain server. */
    final int tlsPort;
    /** Debian's redis-server (7.0 on this project's machines; .ci/run installs it): where 6.2 and 7 differ. */
    static final String SYSTEM_BINARY = "/usr/bin/redis-server";
    private final List<String> settings;
    /** The server binary, or null for {@value #BINARY_ENV}'s, else embedded-redis' 6.2. */
    private final String binary;
    private RedisServer server;

    private RealRedis(int port, int tlsPort, List<String> settings, String binary) {
        this.port = port;
        this.tlsPort = tlsPort;
        this.settings = settings;
        this.binary = binary;
    }

    public static RealRedis start(String... extraSettings) throws IOException {
        return start(0, List.of(extraSettings));
    }

    /** Serves TLS on {@link #tlsPort} with this certificate (clients need not present one), plain on {@link #port}. */
    static RealRedis startTls(TestCertificates certs) throws IOException {
        int tlsPort = freePort();
        return start(tlsPort, List.of("tls-port " + tlsPort, "tls-cert-file " + certs.serverCertPem().toAbsolutePath(),
                "tls-key-file " + certs.serverKeyPem().toAbsolutePath(), "tls-ca-cert-file " + certs.caPem().toAbsolutePath(),
                "tls-auth-clients no"));
    }

    /** What a test checked on both versions names the tests' own server by (its other half: {@link #SYSTEM_BINARY}). */
    static final String EMBEDDED = "embedded";

    /**
     * {@link #EMBEDDED}'s 6.2, or the server at {@code binary} (Debian's 7.0 here). Maven brings 6.2 only: a test's
     * Redis 7 half runs where Debian's server is installed ({@code .ci/run} installs it) and is skipped elsewhere, as
     * the console tests under Xvfb run where a display can be made.
     */
    static RealRedis startVersion(String binary) throws IOException {
        if (EMBEDDED.equals(binary)) return start();
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of(binary)),
                binary + " is not installed (apt-get install redis-server): this test's Redis 7 half is not checked here");
        return startBinary(binary);
    }

    /** A server of this binary (e.g. {@link #SYSTEM_BINARY}), whatever {@value #BINARY_ENV} says. */
    static RealRedis startBinary(String binary, String... extraSettings) throws IOException {
        return start(0, List.of(extraSettings), binary);
    }

    private static RealRedis start(int tlsPort, List<String> extraSettings) throws IOException {
        return start(tlsPort, extraSettings, null);
    }

    private static RealRedis start(int tlsPort, List<String> extraSettings, String binary) throws IOException {
        var settings = new ArrayList<>(List.of("bind 127.0.0.1", "save \"\""));
        if (extraSettings.stream().noneMatch(s -> s.startsWith("appendonly"))) settings.add("appendonly no");
        settings.addAll(extraSettings);
        // A port found free can be taken before the server binds it (by another test's server, or as the
        // local end of one of the many client connections tests open): then try another one.
        for (int attempt = 1; ; attempt++) {
            var r = new RealRedis(freePort(), tlsPort, settings, binary);
            try {
                r.startServer();
                return r;
            } catch (IOException e) {
                if (attempt == 5 || tlsPort != 0) throw e;
            }
        }
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void startServer() throws IOException {
        var binary = this.binary != null ? this.binary : System.getenv(BINARY_ENV);
        if (binary != null && binary.isBlank()) binary = null;
        var folder = RedisBinary.newFolder(port);
        var b = RedisServer.newRedisServer().port(port).executableProvider(RedisBinary.linkedIn(folder, binary));
        if (binary != null && majorVersion(binary) >= 7) {
            b.setting("enable-debug-command local"); // off by default since 7: the stall tests use it
            b.setting("enable-protected-configs local"); // so are dir and dbfilename, which RedisMemoryTest moves to make saving fail
        }
        for (var s : settings) b.setting(s);
        server = b.build();
        server.start();
    }

    /** With an append-only file fsynced on every write: a restart keeps everything. */
    static RealRedis startPersistent() throws IOException {
        var dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target").toAbsolutePath(), "redis-aof");
        return start(0, List.of("appendonly yes", "appendfsync always", "dir " + dir));
    }

    /** The server's major version (6, 7, ...), as it reports it. */
    int majorVersion() {
        try (var c = admin()) {
            var m = java.util.regex.Pattern.compile("redis_version:(\\d+)\\.").matcher(c.info("server"));
            if (!m.find()) throw new AssertionError("redis-server did not say its version");
            return Integer.parseInt(m.group(1));
        }
    }

    private static int majorVersion(String binary) throws IOException {
        var p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes());
        var m = java.util.regex.Pattern.compile("v=(\\d+)\\.").matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** Stops and starts the server on the same port (it comes back empty unless it persists). */
    void restart() throws IOException {
        server.stop();
        startServer();
    }

    /** Stops the server, stays down this long, starts it again on the same port. */
    void restart(java.time.Duration down) throws IOException, InterruptedException {
        server.stop();
        Thread.sleep(down.toMillis());
        startServer();
    }

    /** A client for injecting faults and reading keys (the default user). */
    public redis.clients.jedis.RedisClient admin() {
        return redis.clients.jedis.RedisClient.builder().hostAndPort("127.0.0.1", port)
                .clientConfig(redis.clients.jedis.DefaultJedisClientConfig.builder().socketTimeoutMillis(15_000).build()).build();
    }

    /** How many times the server behind {@code admin} ran {@code command} (INFO commandstats; a script's own calls included). */
    static long calls(redis.clients.jedis.UnifiedJedis admin, String command) {
        return admin.info("commandstats").lines().filter(l -> l.startsWith("cmdstat_" + command + ":"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("^cmdstat_[a-z]+:calls=(\\d+),.*", "$1"))).sum();
    }

    void stop() throws IOException {
        server.stop();
    }

    /** Starts a stopped server again on the same port. */
    void startAgain() throws IOException {
        startServer();
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    String tlsUri(String host) {
        return "rediss://" + host + ":" + tlsPort;
    }

    @Override
    public void close() throws IOException {
        if (server != null && server.isActive()) server.stop();
    }
}
