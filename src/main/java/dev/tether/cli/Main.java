package dev.tether.cli;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;

/** Entry point of the {@code tether} launcher (the command line grows in its own issue). */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("graphs")) {
            GraphCatalog.load(GraphCatalog.defaultPluginsDir()).all()
                    .forEach(g -> System.out.printf("%-16s %-14s %s%n", g.id(), g.defaultQueue(), g.description()));
            return;
        }
        System.err.println("usage: tether graphs");
        System.exit(2);
    }

    static LocalEngine embeddedEngine() {
        return new LocalEngine(EngineConfig.defaults(), GraphCatalog.load(GraphCatalog.defaultPluginsDir()), new RunRegistry());
    }
}
