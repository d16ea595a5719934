package dev.tether.bench;

import dev.tether.control.ControlFile;
import dev.tether.control.HttpControlClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.channels.SocketChannel;

/**
 * The control API's transport, measured from outside against a real {@code tether serve} of the
 * launcher given (this build, or an older one for a side-by-side figure): plain throughput with
 * wrk and ab on its TCP port (and, when it has one, the product's own client on its socket), then
 * the owner's {@code tether list} while 200 connections trickle a header byte a second, then how
 * long 80 connections that keep sending 80 bytes a second after an error answer are held.
 * The machine's load average is printed beside each figure.
 *
 * <pre>mvn -B -q -DskipTests package && mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.ControlTransportBench [-Dbench.args="LAUNCHER SECONDS"]</pre>
 */
public final class ControlTransportBench {
    public static void main(String[] args) throws Exception {
        var launcher = Path.of(args.length > 0 ? args[0] : "target/tether/bin/tether").toAbsolutePath();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        var home = Files.createTempDirectory("tether-bench-http");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var serve = process(launcher, home, java, "serve", "--tcp-port", "0").redirectErrorStream(true)
                .redirectOutput(home.resolve("serve.log").toFile()).start();
        var controlFile = home.resolve("control.json");
        try {
            while (!Files.exists(controlFile) || !Files.readString(controlFile).contains("token")) {
                if (!serve.isAlive()) {
                    // an older serve has no --tcp-port: it always listens on TCP
                    serve = process(launcher, home, java, "serve").redirectErrorStream(true)
                            .redirectOutput(home.resolve("serve.log").toFile()).start();
                }
                Thread.sleep(100);
            }
            Thread.sleep(500);
            var file = Json.read(controlFile);
            System.out.printf("launcher %s, serve pid %d, TCP port %d, socket %s%n", launcher, file.pid, file.port, file.socket);

            var url = "http://127.0.0.1:" + file.port + "/api/runs";
            load("before wrk");
            System.out.println(run("wrk", "-t2", "-c32", "-d" + seconds + "s", "--latency", "-H", "Authorization: Bearer " + file.token, url));
            load("after wrk");
            System.out.println(run("ab", "-q", "-n", "20000", "-c", "32", "-H", "Authorization: Bearer " + file.token, url));
            load("after ab");
            if (file.socket != null) socketThroughput(controlFile, seconds);

            abuse(launcher, home, java, file);
            drain(file);
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The few fields of either build's control file. */
    record File(long pid, int port, String token, String socket) {}

    static final class Json {
        static File read(Path p) throws IOException {
            var node = dev.tether.json.Json.mapper().readTree(Files.readAllBytes(p));
            return new File(node.path("pid").asLong(), node.path("port").asInt(), node.path("token").asText(),
                    node.path("socket").isTextual() ? node.path("socket").asText() : null);
        }
    }

    private static void socketThroughput(Path controlFile, int seconds) throws Exception {
        var client = HttpControlClient.connect(controlFile);
        var done = new AtomicLong();
        var errors = new AtomicLong();
        var latencies = new CopyOnWriteArrayList<Long>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        var threads = new ArrayList<Thread>();
        for (int i = 0; i < 32; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                var mine = new ArrayList<Long>();
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    try {
                        client.list(false);
                        done.incrementAndGet();
                        mine.add(System.nanoTime() - t);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                }
                latencies.addAll(mine);
            }));
        }
        for (var t : threads) t.join();
        var sorted = latencies.stream().sorted().toList();
        System.out.printf("socket, product client, 32 threads, %d s: %,d requests, %.0f req/s, %d errors, p50 %.2f ms, p99 %.2f ms%n",
                seconds, done.get(), done.get() / (double) seconds, errors.get(), pct(sorted, 0.50), pct(sorted, 0.99));
        load("after socket");
    }

    /** The owner's `tether list` while 200 connections trickle a header byte a second (half on the socket where there is one). */
    private static void abuse(Path launcher, Path home, String java, File file) throws Exception {
        var stop = new AtomicBoolean();
        var open = new CopyOnWriteArrayList<SocketChannel>();
        List<SocketAddress> targets = new ArrayList<>();
        targets.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), file.port));
        if (file.socket != null) targets.add(UnixDomainSocketAddress.of(file.socket));
        var head = ("GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:" + file.port + "\r\nX-Slow: " + "s".repeat(4000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 200; i++) {
            var target = targets.get(i % targets.size());
            Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try (var ch = target instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
                        ch.connect(target);
                        open.add(ch);
                        for (int b = 0; b < head.length && !stop.get(); b++) {
                            ch.write(ByteBuffer.wrap(head, b, 1));
                            Thread.sleep(1_000);
                        }
                    } catch (IOException e) {
                        // cut off: come back
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        Thread.sleep(3_000);
        load("abuse on");
        int failed = 0;
        var times = new ArrayList<Long>();
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            var p = process(launcher, home, java, "list").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) failed++;
            times.add(System.nanoTime() - t);
            Thread.sleep(250);
        }
        stop.set(true);
        for (var ch : open) ch.close();
        var sorted = times.stream().sorted().toList();
        System.out.printf("200 trickling connections: `tether list` failed %d of 20; wall p50 %.0f ms, max %.0f ms%n",
                failed, pct(sorted, 0.5), pct(sorted, 1.0));
        load("abuse off");
    }

    /** 80 connections sending 80 bytes a second after an error answer: how many the server still holds after 30 s. */
    private static void drain(File file) throws Exception {
        var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), file.port);
        var held = new AtomicLong();
        var cut = new AtomicLong();
        var threads = new ArrayList<Thread>();
        for (int i = 0; i < 80; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try (var ch = SocketChannel.open(address)) {
                    ch.write(ByteBuffer.wrap(("GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:" + file.port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (System.nanoTime() < end) {
                        ch.write(ByteBuffer.wrap("xxxxxxxx".getBytes(StandardCharsets.US_ASCII)));
                        Thread.sleep(100);
                    }
                    held.incrementAndGet();
                } catch (IOException e) {
                    cut.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (var t : threads) t.join();
        System.out.printf("80 connections trickling 80 B/s after a 401: %d still held after 30 s, %d cut off%n", held.get(), cut.get());
        load("after drain");
    }

    private static double pct(List<Long> sortedNanos, double q) {
        if (sortedNanos.isEmpty()) return Double.NaN;
        return sortedNanos.get((int) Math.min(sortedNanos.size() - 1, Math.floor(q * (sortedNanos.size() - 1)))) / 1e6;
    }

    private static void load(String when) throws IOException {
        System.out.println("  load average (" + when + "): " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static String run(String... cmd) throws Exception {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return String.join(" ", cmd[0]) + ":\n" + out.lines().filter(l -> l.contains("Requests/sec") || l.contains("Requests per second")
                || l.contains("Non-2xx") || l.contains("Failed requests") || l.contains("Socket errors") || l.contains("50%") || l.contains("99%")
                || l.contains("Time per request") || l.contains("Latency")).map(l -> "  " + l.trim()).reduce("", (a, b) -> a + b + "\n");
    }

    private static ProcessBuilder process(Path launcher, Path home, String java, String... args) {
        var cmd = new ArrayList<String>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_HOME", home.toString());
        pb.environment().put("TETHER_JAVA", java);
        pb.environment().put("TETHER_LOG_LEVEL", "WARN");
        return pb;
    }
}
