package dev.tether.soak;

import dev.tether.control.ControlFile;
import dev.tether.control.HttpControlClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code tether serve} started through the real launcher. Its parent is a small shell that
 * does not reap it until told to, as a slow supervisor (or a PID 1 that does not reap) would not:
 * so a SIGKILL can leave it a zombie for as long as a fault wants. The shell kills and reaps it
 * when this JVM goes away, so no {@code serve} outlives the test.
 */
final class ServeProcess {
    /** Starts serve in the background, prints its pid, and reaps it only once its stdin has a line (or ends). */
    private static final String PARENT = "sh \"$0\" serve \"$@\" >>\"$TETHER_SOAK_LOG\" 2>&1 & echo $!; read x; kill -9 $! 2>/dev/null; wait";

    private final Process parent;
    private final long pid;
    private final java.time.Instant startedAt = java.time.Instant.now();

    private ServeProcess(Process parent, long pid) {
        this.parent = parent;
        this.pid = pid;
    }

    /** When it was started (a moment before it could take runs). */
    java.time.Instant startedAt() {
        return startedAt;
    }

    static ServeProcess start(SoakHome home, List<String> args) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("sh", "-c", PARENT, home.launcher().toString()));
        cmd.addAll(args);
        var pb = new ProcessBuilder(home.disk().wrap(cmd));
        home.environment(pb.environment());
        pb.environment().put("TETHER_SOAK_LOG", home.dir().resolve("serve.log").toString());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(home.dir().resolve("serve-parent.log").toFile()));
        var parent = pb.start();
        var line = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.matches("\\d+")) {
            parent.destroyForcibly();
            throw new IllegalStateException("serve did not start: " + line + " " + Files.readString(home.dir().resolve("serve-parent.log")));
        }
        var serve = new ServeProcess(parent, Long.parseLong(line));
        try {
            serve.awaitReady(home);
        } catch (RuntimeException | InterruptedException e) {
            ProcFs.signal(serve.pid, "KILL"); // not handed to anyone who would stop it
            serve.reap();
            throw e;
        }
        return serve;
    }

    /** A client of whichever serve runs on {@code home} now, found as the command line finds it: through its control file. */
    static dev.tether.control.ControlClient connect(SoakHome home) {
        return HttpControlClient.connect(home.dir().resolve("control.json"));
    }

    long pid() {
        return pid;
    }

    /** Until it has published its control file and answers as itself. */
    private void awaitReady(SoakHome home) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            if (ProcFs.isDead(pid)) {
                throw new IllegalStateException("serve " + pid + " exited at start: " + tail(home));
            }
            try {
                var file = home.dir().resolve("control.json");
                if (Files.exists(file) && ControlFile.read(file).pid() == pid) {
                    try (var c = connect(home)) {
                        c.stats(); // answers
                    }
                    return;
                }
            } catch (IOException | RuntimeException notYet) {
                // not published, or not answering yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("serve " + pid + " never became ready: " + tail(home));
            Thread.sleep(50);
        }
    }

    private static String tail(SoakHome home) throws IOException {
        var lines = Files.readAllLines(home.dir().resolve("serve.log"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** SIGKILL. The process stays a zombie until {@link #reap()}. */
    void kill9() {
        ProcFs.signal(pid, "KILL");
        awaitDead(Duration.ofSeconds(30));
    }

    /** SIGTERM: the graceful stop (cancel everything, wait, exit); then reaped. */
    void stop(Duration timeout) throws InterruptedException {
        if (!ProcFs.isDead(pid)) ProcFs.signal(pid, "TERM");
        if (!awaitDead(timeout)) {
            ProcFs.signal(pid, "KILL");
            awaitDead(Duration.ofSeconds(30));
        }
        reap();
    }

    /** Whether it ended in time (dead meaning a zombie or reaped). */
    boolean awaitDead(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ProcFs.isDead(pid)) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    boolean isZombie() {
        return ProcFs.isZombie(pid);
    }

    /** Lets the parent reap it (killing it first if it still runs) and waits until it is gone. */
    void reap() throws InterruptedException {
        try {
            parent.getOutputStream().write('\n');
            parent.getOutputStream().close();
        } catch (IOException e) {
            // the parent is gone already: it reaped on its way out
        }
        if (!parent.waitFor(30, TimeUnit.SECONDS)) parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** The child JVMs of process isolation it runs now. */
    List<ProcessHandle> childJvms() {
        return ProcessHandle.of(pid).stream().flatMap(ProcessHandle::children)
                .filter(c -> c.info().commandLine().map(l -> l.contains("dev.tether.engine.process.ChildMain")).orElse(false))
                .filter(c -> !ProcFs.isDead(c.pid()))
                .toList();
    }
}
