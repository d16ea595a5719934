package dev.tether.bench;

import dev.tether.control.ControlFile;
import dev.tether.control.HttpControlClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Wall time of `tether list --json` (JVM start included) against a `tether serve` holding 1,000 active
 * runs, beside `tether --version` (the JVM start floor). Needs `mvn package` first.
 *
 * <pre>mvn -B -q -DskipTests package && mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.CliListBench [-Dbench.args="RUNS SAMPLES"]</pre>
 */
public final class CliListBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        var launcher = Path.of(args.length > 2 ? args[2] : "target/tether/bin/tether").toAbsolutePath(); // or the installed tether-cli
        var home = Files.createTempDirectory("tether-bench-cli");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var serve = process(launcher, home, java, "serve").redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile()).start();
        try {
            var controlFile = home.resolve("control.json");
            while (!Files.exists(controlFile)) {
                if (!serve.isAlive()) throw new IllegalStateException("serve exited: " + Files.readString(home.resolve("serve.log")));
                Thread.sleep(50);
            }
            var client = HttpControlClient.connect(controlFile);
            for (int i = 0; i < runs; i++) client.submit("book-workflow", null, Map.of("nodeMillis", "600000"));
            System.out.printf("server pid %d holds %d active runs%n", ControlFile.read(controlFile).pid(), client.list(false).size());
            for (int i = 0; i < 3; i++) time(launcher, home, java, "list", "--json"); // warm the file cache
            var list = new ArrayList<Double>();
            var version = new ArrayList<Double>();
            int bytes = 0;
            for (int i = 0; i < samples; i++) {
                list.add(time(launcher, home, java, "list", "--json"));
                version.add(time(launcher, home, java, "--version"));
            }
            var p = process(launcher, home, java, "list", "--json").start();
            bytes = p.getInputStream().readAllBytes().length;
            p.waitFor();
            report("tether list --json (" + runs + " runs, " + bytes / 1024 + " KiB)", list);
            report("tether --version (JVM start floor)", version);
            client.cancelAll(dev.tether.run.CancelRequest.DEFAULT, Duration.ZERO);
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
        staleControlFile(launcher, java, samples);
    }

    /**
     * The control file of a SIGKILLed serve left behind: `tether list` says the server is gone (exit 4)
     * without waiting for anything (NoInstanceIT asserts that it says so; this is how long it takes).
     */
    private static void staleControlFile(Path launcher, String java, int samples) throws Exception {
        var home = Files.createTempDirectory("tether-bench-stale");
        var serve = process(launcher, home, java, "serve").redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile()).start();
        while (!Files.exists(home.resolve("control.json"))) {
            if (!serve.isAlive()) throw new IllegalStateException("serve exited: " + Files.readString(home.resolve("serve.log")));
            Thread.sleep(50);
        }
        serve.destroyForcibly().waitFor();
        var stale = new ArrayList<Double>();
        var version = new ArrayList<Double>();
        for (int i = 0; i < samples; i++) {
            stale.add(time(launcher, home, java, dev.tether.cli.ExitCodes.UNREACHABLE, "list"));
            version.add(time(launcher, home, java, "--version"));
        }
        report("tether list, control file of a SIGKILLed serve", stale);
        report("tether --version (JVM start floor)", version);
    }

    private static ProcessBuilder process(Path launcher, Path home, String java, String... args) {
        var cmd = new ArrayList<String>(List.of(launcher.toString())); // the sh launcher or the installed native one
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_HOME", home.toString());
        pb.environment().put("TETHER_JAVA", java);
        return pb;
    }

    private static double time(Path launcher, Path home, String java, String... args) throws Exception {
        return time(launcher, home, java, 0, args);
    }

    private static double time(Path launcher, Path home, String java, int exit, String... args) throws Exception {
        long t0 = System.nanoTime();
        var p = process(launcher, home, java, args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != exit) throw new IllegalStateException("tether " + String.join(" ", args) + " exited " + p.exitValue());
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void report(String what, List<Double> ms) {
        var sorted = ms.stream().sorted().toList();
        System.out.printf("%-48s p50 %5.0f ms  p90 %5.0f ms  max %5.0f ms  (%d samples)%n", what,
                sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1), sorted.getLast(), sorted.size());
    }
}
