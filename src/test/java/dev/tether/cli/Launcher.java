package dev.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.json.Json;

import dev.tether.testing.Hang;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code tether} launcher (built by `package`) as a separate process, in a scratch home. */
final class Launcher {
    final Path home;

    Launcher(Path home) {
        this.home = home;
    }

    static Launcher inFreshHome(String name) throws IOException {
        var base = Path.of(System.getProperty("tether.home", "target/it-home"));
        Files.createDirectories(base);
        return new Launcher(Files.createTempDirectory(base, name));
    }

    Path controlFile() {
        return home.resolve("control.json");
    }

    record Result(int exit, String out, String err) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + " / " + err, e);
            }
        }
    }

    ProcessBuilder command(String... args) {
        var launcher = System.getProperty("tether.launcher", "target/tether/bin/tether");
        var cmd = new ArrayList<String>(List.of("sh", launcher));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_HOME", home.toString());
        pb.environment().put("TETHER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("TETHER_LOG_LEVEL", "WARN");
        return pb;
    }

    Result run(String... args) {
        try {
            var p = command(args).start();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tether " + String.join(" ", args) + " did not end");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim(), new String(err, StandardCharsets.UTF_8).trim());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code tether serve ...} and waits for its control file. */
    Process serve(String... extra) throws Exception {
        var args = new ArrayList<String>(List.of("serve"));
        args.addAll(List.of(extra));
        var pb = command(args.toArray(String[]::new));
        pb.redirectErrorStream(true);
        pb.redirectOutput(home.resolve("serve.log").toFile());
        var p = pb.start();
        try {
            awaitPublishedBy(p.toHandle(), home.resolve("serve.log"));
        } catch (Exception | AssertionError e) {
            stop(p); // nobody else holds it: it would outlive the test
            throw e;
        }
        return p;
    }

    /**
     * Starts {@code tether serve ...} under a parent that does not reap it (see {@link UnreapedProcess}),
     * logging to {@code log}, and waits for its control file.
     */
    dev.tether.testing.UnreapedProcess serveUnreaped(Path log, String... extra) throws Exception {
        var args = new ArrayList<String>(List.of("serve"));
        args.addAll(List.of(extra));
        var serve = dev.tether.testing.UnreapedProcess.start(command(args.toArray(String[]::new)), log);
        try {
            awaitPublishedBy(serve.handle(), log);
        } catch (Exception | AssertionError e) {
            serve.close();
            throw e;
        }
        return serve;
    }

    private void awaitPublishedBy(ProcessHandle p, Path log) throws Exception {
        long deadline = System.nanoTime() + Hang.ACROSS_PROCESSES.toNanos(); // a set-up's readiness, not a promise: see Hang
        while (!publishedBy(p.pid())) {
            if (!p.isAlive()) throw new AssertionError("serve exited: " + Files.readString(log));
            if (System.nanoTime() > deadline) throw new AssertionError("serve did not publish its control file");
            Thread.sleep(50);
        }
    }

    private boolean publishedBy(long pid) {
        try {
            return Files.exists(controlFile()) && dev.tether.control.ControlFile.read(controlFile()).pid() == pid;
        } catch (IOException e) {
            return false;
        }
    }

    static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
    }
}
