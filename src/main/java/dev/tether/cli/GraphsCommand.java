package dev.tether.cli;

import dev.tether.catalog.GraphCatalog;
import dev.tether.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.LinkedHashMap;
import java.util.concurrent.Callable;

@Command(name = "graphs", description = {"List the graphs that can be submitted (built-in and plugins); needs no running instance.",
        "Plugins that are broken are listed as problems and skipped."})
final class GraphsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON: {graphs: [{id, title, description, defaultQueue, defaultInput, isolation, policy, policySources}], problems: [text]}.")
    boolean json;

    @Option(names = "--isolation", paramLabel = "MODE", converter = IsolationConverter.class,
            description = "The default the graphs are shown with (as given to console/serve/worker; default: thread); isolation.properties overrides it per graph.")
    dev.tether.engine.Isolation isolation = dev.tether.engine.Isolation.THREAD;

    @Override
    public Integer call() {
        var catalog = GraphCatalog.load(GraphCatalog.defaultPluginsDir());
        var out = spec.commandLine().getOut();
        var policy = EngineOptions.isolationPolicy(isolation);
        var policies = dev.tether.policy.PolicyBook.inHome();
        if (json) {
            var list = catalog.all().stream().map(g -> {
                var m = new LinkedHashMap<String, Object>();
                m.put("id", g.id());
                m.put("title", g.title());
                m.put("description", g.description());
                m.put("defaultQueue", g.defaultQueue());
                m.put("defaultInput", g.defaultInput());
                m.put("isolation", policy.of(g.id()).label());
                var runPolicy = policies.resolve(g, g.defaultQueue(), null);
                m.put("policy", runPolicy.values());
                m.put("policySources", runPolicy.sources());
                return m;
            }).toList();
            var doc = new LinkedHashMap<String, Object>();
            doc.put("graphs", list);
            doc.put("problems", catalog.problems());
            out.println(Json.write(doc));
        } else {
            out.printf("%-16s %-14s %-9s %s%n", "GRAPH", "QUEUE", "ISOLATION", "DESCRIPTION");
            catalog.all().forEach(g -> out.printf("%-16s %-14s %-9s %s%n", g.id(), g.defaultQueue(), policy.of(g.id()).label(),
                    Terminal.safe(g.description())));
            var lines = new java.util.ArrayList<String>();
            for (var g : catalog.all()) {
                var p = policies.resolve(g, g.defaultQueue(), null);
                if (p.isEmpty()) continue;
                var parts = new java.util.ArrayList<String>();
                p.values().forEach((k, v) -> parts.add(k + " " + v + " (" + p.sources().getOrDefault(k, "-") + ")"));
                lines.add(String.format("  %-16s %s", Terminal.safe(g.id()), Terminal.safe(String.join(", ", parts))));
            }
            if (!lines.isEmpty()) {
                out.println();
                out.println("Run policies (a submit's own values win, then " + dev.tether.policy.PolicyBook.FILE
                        + " per graph, per queue, then the graph's definition):");
                lines.forEach(out::println);
            }
            if (!catalog.problems().isEmpty()) {
                out.println();
                out.println("Problems (these plugins are skipped):");
                catalog.problems().forEach(p -> out.println("  - " + Terminal.safe(p)));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
