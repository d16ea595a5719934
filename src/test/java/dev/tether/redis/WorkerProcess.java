package dev.tether.redis;

import dev.tether.testing.Hang;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real `tether worker` process (this test class path), its output in a log file. */
final class WorkerProcess implements AutoCloseable {
    final String name;
    final Process process;
    final Path log;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static WorkerProcess start(String redisUri, String name, String queues, int concurrency, String... extra) throws Exception {
        return start(java.util.Map.of(), redisUri, name, queues, concurrency, extra);
    }

    static WorkerProcess start(java.util.Map<String, String> env, String redisUri, String name, String queues, int concurrency,
                               String... extra) throws Exception {
        return start(List.of(), env, redisUri, name, queues, concurrency, extra);
    }

    /** With JVM options (system properties) and the test graphs ({@link CountingGraph}) on its class path. */
    static WorkerProcess start(List<String> jvmArgs, java.util.Map<String, String> env, String redisUri, String name, String queues,
                               int concurrency, String... extra) throws Exception {
        var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new ArrayList<>(List.of(javaBin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-Xms32m")); // the launcher's flags
        cmd.addAll(jvmArgs);
        // A grace only a hang reaches: on a loaded machine a cooperative run's thread may wait longer than a
        // short grace for a core, and would be judged STUCK for the machine's sake. No test here needs one to pass.
        cmd.addAll(List.of("-cp", testGraphServices() + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                "dev.tether.cli.Main", "worker", "--redis", redisUri, "--name", name, "--queues", queues,
                "--concurrency", Integer.toString(concurrency), "--cancel-grace", Hang.IN_PROCESS_SECONDS + "s", "--shutdown-timeout", "5s"));
        cmd.addAll(List.of(extra));
        var dir = Path.of("target", "redis-workers");
        Files.createDirectories(dir);
        var log = Files.createTempFile(dir, name, ".log");
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TETHER_HOME", dir.toAbsolutePath().toString());
        pb.environment().remove(RedisSettings.ENV);
        pb.environment().putAll(env);
        var p = pb.start();
        var w = new WorkerProcess(name, p, log);
        // Readiness of the test's own set-up, not a promise about start-up time (that is BENCHMARKS'):
        // a worker JVM took 6-10 s to start here at load 20, and the suite starts several side by side.
        long deadline = System.nanoTime() + Hang.ACROSS_PROCESSES.toNanos();
        while (!Files.readString(log).contains("tether worker '" + name + "'")) {
            if (!p.isAlive()) throw new AssertionError("worker " + name + " exited: " + Files.readString(log));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // nobody else holds it: it would outlive the test
                throw new AssertionError("worker " + name + " did not start: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return w;
    }

    /** A class-path folder listing the test graphs as services: only worker processes see them. */
    private static synchronized String testGraphServices() throws IOException {
        var dir = Path.of("target", "test-graph-services").toAbsolutePath();
        var file = dir.resolve("META-INF/services/dev.tether.api.GraphDefinition");
        var content = CountingGraph.class.getName() + "\n" + ConcurrencyProbeGraph.class.getName() + "\n";
        if (!Files.exists(file) || !Files.readString(file).equals(content)) { // never rewritten while a worker may be reading it
            Files.createDirectories(file.getParent());
            var tmp = Files.createTempFile(file.getParent(), "services", ".tmp");
            Files.writeString(tmp, content);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return dir.toString();
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS);
    }

    /** SIGSTOP / SIGCONT: a worker that is alive but not answering. */
    void pause() throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start().waitFor();
        // the signal is delivered asynchronously: the test goes on only once the process stands still
        var stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!stoppedState(Files.readString(stat))) {
            if (System.nanoTime() > deadline) throw new AssertionError("worker " + name + " did not stop (kill exit " + exit + "): " + Files.readString(stat));
            Thread.sleep(5);
        }
    }

    /** /proc/PID/stat: "pid (comm) S ...", comm may hold spaces and parentheses; T is stopped by a signal. */
    private static boolean stoppedState(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    }

    void resume() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).start().waitFor();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (!process.isAlive()) return;
        resume();
        process.destroy();
        if (!process.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS);
    }
}
