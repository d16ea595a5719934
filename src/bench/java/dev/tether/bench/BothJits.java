package dev.tether.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.List;

/**
 * Runs a JMH bench with a {@code jit} parameter twice: with the launchers' JIT (C1 only, as every Tether
 * command, worker and console runs) and with the full one.
 */
public final class BothJits {
    private BothJits() {}

    public static void run(Class<?> bench) throws Exception {
        for (var jit : List.of("c1", "c2")) {
            var options = new OptionsBuilder().include(bench.getSimpleName()).param("jit", jit);
            if (jit.equals("c1")) options.jvmArgsAppend("-XX:TieredStopAtLevel=1");
            new Runner(options.build()).run();
        }
    }
}
