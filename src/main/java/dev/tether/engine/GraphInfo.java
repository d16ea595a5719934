package dev.tether.engine;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphRepresentation;

import java.util.Map;

/** A graph as clients see it (serialisable): what to submit and what it looks like. */
public record GraphInfo(String id, String title, String description, String defaultQueue,
                        Map<String, Object> defaultInput, String mermaid) {

    /** Describes a definition, its Mermaid diagram included; {@code queue} is where its runs go by default. */
    public static GraphInfo describe(GraphDefinition d, String queue) {
        String mermaid;
        try {
            mermaid = d.build().getGraph(GraphRepresentation.Type.MERMAID, d.title(), true).content();
        } catch (Exception | LinkageError e) {
            mermaid = "";
        }
        return new GraphInfo(d.id(), d.title(), d.description(), queue, d.defaultInput(), mermaid);
    }
}
