package dev.tether.soak;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real {@code redis-server} process of the soak's own (the 6.2 binary from Maven, or the one named
 * by {@code TETHER_TEST_REDIS_SERVER}), persistent: an append-only file fsynced on every write, so
 * a SIGKILL loses nothing, while a restart "without its data" removes the file first. The soak
 * needs its pid (SIGKILL, SIGSTOP) and the same port across restarts.
 */
final class SoakRedis implements AutoCloseable {
    private final Path binary;
    private final Path dir;
    private final Path log;
    private final int port;
    private final int major;
    private final String mark;
    private volatile Process process;

    private SoakRedis(Path binary, Path dir, int port, int major, String mark) {
        this.binary = binary;
        this.dir = dir;
        this.log = dir.resolveSibling(dir.getFileName() + ".log");
        this.port = port;
        this.major = major;
        this.mark = mark;
    }

    static SoakRedis start(Path home, String mark) throws IOException, InterruptedException {
        var binary = binary();
        var dir = Files.createDirectories(home.resolve("redis-data"));
        var out = ProcFs.run(List.of(binary.toString(), "--version")).output();
        var m = Pattern.compile("v=(\\d+)\\.").matcher(out);
        int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
        // a port found free can be taken before the server binds it: then try another
        for (int attempt = 1; ; attempt++) {
            var redis = new SoakRedis(binary, dir, freePort(), major, mark);
            try {
                redis.startAgain();
                return redis;
            } catch (IllegalStateException e) {
                if (attempt == 5) throw e;
            }
        }
    }

    private static Path binary() throws IOException {
        var configured = System.getenv("TETHER_TEST_REDIS_SERVER");
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        return dev.tether.redis.RedisBinary.embedded();
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the server (again) on its port, with whatever its data folder holds. */
    synchronized void startAgain() throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"));
        if (major >= 7) cmd.addAll(List.of("--enable-debug-command", "local")); // off by default since 7; the stall uses it
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put(ProcFs.MARK, mark);
        process = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited: " + Files.readString(log));
            if (System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("redis-server did not answer: " + Files.readString(log));
            }
            try (var c = admin(2_000)) {
                if ("PONG".equals(c.ping())) return; // answers only once the append-only file is loaded
            } catch (RuntimeException notYet) {
                // not listening, or LOADING
            }
            Thread.sleep(20);
        }
    }

    /** SIGKILL: everything acknowledged is in the append-only file (fsync always). */
    synchronized void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Removes the data of a stopped server: it comes back empty. */
    synchronized void wipe() throws IOException {
        if (process.isAlive()) throw new IllegalStateException("wipe a running server");
        try (var files = Files.walk(dir)) {
            for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) if (!f.equals(dir)) Files.delete(f);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    int majorVersion() {
        return major;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    RedisClient admin() {
        return admin(15_000);
    }

    private RedisClient admin(int timeoutMillis) {
        return RedisClient.builder().hostAndPort("127.0.0.1", port)
                .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(timeoutMillis).connectionTimeoutMillis(timeoutMillis)
                        .clientName("soak-admin").build()).build();
    }

    /** Sends any command (CLIENT KILL, SCRIPT FLUSH, DEBUG SLEEP ...) on an admin connection. */
    static Object command(RedisClient r, String... args) {
        var name = args[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return r.sendCommand(() -> name, java.util.Arrays.copyOfRange(args, 1, args.length));
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            ProcFs.signal(process.pid(), "CONT");
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
