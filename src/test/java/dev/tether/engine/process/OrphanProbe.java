package dev.tether.engine.process;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.Isolation;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A JVM hosting a process-isolated engine for {@link OrphanTest}: starts a run whose node starts
 * {@code sleep 1000} (and ignores interrupts), prints the pids of its children and of that sleep,
 * and waits for a signal.
 */
public final class OrphanProbe {
    public static void main(String[] args) throws Exception {
        var pidFile = Path.of(args[0]);
        var registry = new RunRegistry();
        var config = EngineConfig.defaults().withConcurrency(2).withIsolation(IsolationPolicy.of(Isolation.PROCESS));
        var engine = new LocalEngine(config, GraphCatalog.of(new ProcessGraphs.StartsSubprocess()), registry);
        var pool = engine.childPool().orElseThrow();
        // SIGTERM/SIGINT: the usual shutdown (cancel, wait up to 2 s, then the children are killed)
        dev.tether.engine.ShutdownOnSignal.install(engine, Duration.ofSeconds(2), null);
        while (pool.idle() < 2) Thread.sleep(10);
        engine.submit("subprocess", null, Map.of("pidFile", pidFile.toString()));
        while (!Files.exists(pidFile) || Files.size(pidFile) == 0) Thread.sleep(10);
        var out = new StringBuilder("PIDS");
        pool.processes().forEach(p -> out.append(' ').append(p.pid()));
        out.append(' ').append(Files.readString(pidFile).trim());
        System.out.println(out);
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5));
    }
}
