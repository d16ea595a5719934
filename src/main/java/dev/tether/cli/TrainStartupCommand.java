package dev.tether.cli;

import dev.tether.control.ControlFile;
import dev.tether.control.ControlServer;
import dev.tether.engine.RunEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The build's training run for the launcher's class-data archive: the command-line paths people time
 * (list, status, submit, cancel, graphs, help), each run once in this JVM against a real control
 * API and, given a Redis to train on, against Redis too, so that every class they load is listed
 * for the archive. Output is discarded.
 */
@Command(name = "train-startup", hidden = true, description = "Exercise the command-line paths once (for the class-data archive).")
final class TrainStartupCommand implements Callable<Integer> {
    @Mixin EngineOptions engineOptions = new EngineOptions();

    @Option(names = "--train-redis", paramLabel = "URI", description = "A scratch Redis to train the Redis paths on (blank: none).")
    String redis = "";

    @Override
    public Integer call() throws Exception {
        var home = Files.createTempDirectory("tether-train");
        System.setProperty("tether.home", home.toString());
        RunEngine engine = engineOptions.localEngine();
        var out = System.out;
        var err = System.err;
        try (var server = ControlServer.start(engine, ControlFile.defaultPath())) {
            var done = engine.submit("welcome-email", null, Map.of()).runId();
            var running = engine.submit("book-workflow", null, Map.of("nodeMillis", 60_000)).runId();
            engine.awaitTerminal(done, Duration.ofSeconds(10));
            var quiet = new PrintStream(OutputStream.nullOutputStream());
            System.setOut(quiet);
            System.setErr(quiet);
            for (var args : new String[][] {{"--help"}, {"--version"}, {"graphs"}, {"graphs", "--json"}, {"list"}, {"list", "--json"},
                    {"list", "--all", "--json"}, {"status", running}, {"status", running, "--json"}, {"status", "ffffffff"}, {"status", "short"},
                    {"submit", "welcome-email", "--input", "x=1"}, {"submit", "welcome-email", "--input", "broken"},
                    {"cancel", running, "--wait", "--timeout", "5s"}, {"resume", running}, {"cancel-all", "--json"}, {"list", "--help"}}) {
                Main.run(args);
            }
            server.close();
            Main.run("list", "--all", "--json"); // no instance: the history is read from the store itself
            if (!redis.isBlank()) trainRedis(quiet);
        } finally {
            System.setOut(out);
            System.setErr(err);
            engine.shutdown(Duration.ofSeconds(5));
            engineOptions.closeHistory();
            try (var files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return ExitCodes.OK;
    }

    /** The one-shot commands of the distributed mode, on a scratch Redis no worker serves. */
    private void trainRedis(PrintStream quiet) {
        var r = new String[] {"--redis", redis};
        Main.run(concat(new String[] {"redis", "setup"}, r));
        var said = new java.io.StringWriter();
        var ignored = new java.io.PrintWriter(quiet);
        Main.run(new java.io.PrintWriter(said), ignored, concat(new String[] {"submit", "welcome-email", "--queue", "training"}, r));
        var run = said.toString().strip();
        for (var args : new String[][] {{"status", run}, {"status", run, "--json"}, {"list"}, {"list", "--json", "--status", "queued"}, {"list", "--all", "--json"},
                {"cancel", run, "--wait", "--timeout", "5s"}, {"resume", run}, {"status", "ffffffff"}, {"cancel-all", "--json"}}) {
            Main.run(concat(args, r));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        var out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
