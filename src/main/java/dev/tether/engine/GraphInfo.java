package dev.tether.engine;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphRepresentation;

import java.util.Map;

/**
 * A graph as clients see it (serialisable): what to submit and what it looks like.
 *
 * @param policy the policy its runs get when a submit sets none (values and where each came from); null for none
 */
public record GraphInfo(String id, String title, String description, String defaultQueue,
                        Map<String, Object> defaultInput, String mermaid, dev.tether.run.RunPolicy policy) {

    public GraphInfo(String id, String title, String description, String defaultQueue, Map<String, Object> defaultInput, String mermaid) {
        this(id, title, description, defaultQueue, defaultInput, mermaid, null);
    }

    /** Describes a definition, its Mermaid diagram included; {@code queue} is where its runs go by default. */
    public static GraphInfo describe(GraphDefinition d, String queue) {
        return describe(d, queue, null);
    }

    /** As {@link #describe(GraphDefinition, String)}, with the policy its runs get. */
    public static GraphInfo describe(GraphDefinition d, String queue, dev.tether.run.RunPolicy policy) {
        String mermaid;
        try {
            mermaid = d.build().getGraph(GraphRepresentation.Type.MERMAID, d.title(), true).content();
        } catch (Exception | LinkageError e) {
            mermaid = "";
        }
        return new GraphInfo(d.id(), d.title(), d.description(), queue, d.defaultInput(), mermaid,
                policy == null || policy.isEmpty() ? null : policy);
    }
}
