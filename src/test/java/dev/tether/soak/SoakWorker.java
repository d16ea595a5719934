package dev.tether.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real {@code tether worker} process, started through the launcher with the witness graph as a plugin. */
final class SoakWorker {
    static final String QUEUES = "soak,ai_processing,email,default";

    final String name;
    final Process process;
    final Path log;
    /** A moment before it could take runs. */
    final java.time.Instant startedAt = java.time.Instant.now();

    private SoakWorker(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static SoakWorker start(SoakHome home, String redisUri, String name, int concurrency) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("sh", home.launcher().toString(), "worker", "--redis", redisUri, "--name", name,
                "--queues", QUEUES, "--concurrency", Integer.toString(concurrency), "--cancel-grace", "2s", "--shutdown-timeout", "10s"));
        var log = home.dir().resolve("worker-" + name + ".log");
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        home.environment(pb.environment());
        // each worker its own home: nothing of one (history, control file) is shared with another
        var own = Files.createDirectories(home.dir().resolve("home-" + name));
        pb.environment().put("TETHER_HOME", own.toString());
        long before = Files.exists(log) ? Files.size(log) : 0;
        var p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!startedSince(log, before, name)) {
            if (!p.isAlive()) throw new IllegalStateException("worker " + name + " exited: " + Files.readString(log));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // not handed to anyone who would stop it
                throw new IllegalStateException("worker " + name + " did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new SoakWorker(name, p, log);
    }

    private static boolean startedSince(Path log, long offset, String name) throws IOException {
        if (!Files.exists(log)) return false;
        var text = Files.readString(log);
        return text.length() > offset && text.substring((int) Math.min(offset, text.length())).contains("tether worker '" + name + "'");
    }

    long pid() {
        return process.pid();
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: cancels its runs, hands back what it read but did not start, leaves no consumer. */
    void stop() throws InterruptedException {
        if (!process.isAlive()) return;
        ProcFs.signal(process.pid(), "CONT");
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
}
