package dev.tether.catalog;

import dev.tether.api.GraphDefinition;

/**
 * A definition that stands in front of another one (checked at load, gated in a worker). Whoever
 * must name the graph's own class (a child JVM loads it by name) unwraps it with
 * {@link GraphCatalog#implementationOf}.
 */
public interface WrappedGraph {
    GraphDefinition wrapped();
}
