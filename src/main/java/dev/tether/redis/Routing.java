package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.engine.QueueNames;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Which queue a graph's runs go to unless a submit names one: the graph's own default, overridden by
 * {@code routing.properties} in the Tether home ({@code graph-id = queue}), like the seed's
 * {@code task_routes}.
 */
public final class Routing {
    private final Map<String, String> routes;

    private Routing(Map<String, String> routes) {
        this.routes = Map.copyOf(routes);
    }

    public static Routing none() {
        return new Routing(Map.of());
    }

    public static Routing load(Path file) {
        if (file == null || !Files.exists(file)) return none();
        var props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read routing table " + file + ": " + e.getMessage());
        }
        var out = new LinkedHashMap<String, String>();
        for (var name : props.stringPropertyNames()) {
            var queue = props.getProperty(name).trim();
            if (!QueueNames.isValid(queue)) throw new IllegalArgumentException("routing table " + file + ": queue '" + queue + "' for graph '" + name + "' is not valid");
            out.put(name.trim(), queue);
        }
        return new Routing(out);
    }

    public String queueFor(GraphDefinition graph) {
        return routes.getOrDefault(graph.id(), graph.defaultQueue());
    }
}
