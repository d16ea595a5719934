package dev.tether.graphs;

import dev.tether.api.GraphDefinition;
import dev.tether.api.Inputs;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.bsc.langgraph4j.state.Channel;
import org.bsc.langgraph4j.state.Channels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * A book in five steps: outline, research, draft chapters, review (looping back
 * to draft while the quality is low and revisions remain), publish. Work is simulated.
 */
public final class BookWorkflowGraph implements GraphDefinition {

    @Override
    public String id() {
        return "book-workflow";
    }

    @Override
    public String title() {
        return "Book workflow";
    }

    @Override
    public String description() {
        return "Outline, research, draft chapters, review with revisions, publish (simulated AI work)";
    }

    @Override
    public String defaultQueue() {
        return "ai_processing";
    }

    @Override
    public Map<String, Object> defaultInput() {
        var in = new LinkedHashMap<String, Object>();
        in.put("title", "The Quiet Engine");
        in.put("chapters", 3);
        in.put("nodeMillis", 1500);
        in.put("jitter", 0.3);
        in.put("maxRevisions", 2);
        in.put("seed", 0L);
        return in;
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        Map<String, Channel<?>> schema = Map.of("drafts", Channels.appender(ArrayList::new));
        return new StateGraph<>(schema, AgentState::new)
                .addNode("outline", node_async(s -> {
                    SimulatedWork.pause(s.data(), 1500);
                    var chapters = (int) Inputs.longOf(s.data(), "chapters", 3);
                    var outline = new ArrayList<String>();
                    for (int i = 1; i <= chapters; i++) outline.add("Chapter " + i);
                    return Map.of("outline", outline, "revision", 0);
                }))
                .addNode("research", node_async(s -> {
                    SimulatedWork.pause(s.data(), 1500);
                    return Map.of("notes", "sources for " + s.value("title").orElse("untitled"));
                }))
                .addNode("draft", node_async(s -> {
                    var chapters = (int) Inputs.longOf(s.data(), "chapters", 3);
                    var drafts = new ArrayList<String>();
                    for (int i = 1; i <= chapters; i++) {
                        SimulatedWork.pause(s.data(), 1500 / Math.max(1, chapters));
                        drafts.add("chapter " + i + " draft r" + Inputs.longOf(s.data(), "revision", 0));
                    }
                    return Map.of("drafts", drafts);
                }))
                .addNode("review", node_async(s -> {
                    SimulatedWork.pause(s.data(), 1500);
                    long revision = Inputs.longOf(s.data(), "revision", 0);
                    long seed = Inputs.longOf(s.data(), "seed", 0);
                    var random = seed == 0 ? new SplittableRandom() : new SplittableRandom(seed * 31 + revision);
                    double quality = 0.5 + random.nextDouble() * 0.5 + revision * 0.15;
                    return Map.of("quality", Math.min(1.0, quality), "revision", revision + 1);
                }))
                .addNode("publish", node_async(s -> {
                    SimulatedWork.pause(s.data(), 1500);
                    return Map.of("published", true);
                }))
                .addEdge(START, "outline")
                .addEdge("outline", "research")
                .addEdge("research", "draft")
                .addEdge("draft", "review")
                .addConditionalEdges("review", edge_async(BookWorkflowGraph::afterReview),
                        Map.of("revise", "draft", "publish", "publish"))
                .addEdge("publish", END);
    }

    static String afterReview(AgentState s) {
        double quality = Inputs.doubleOf(s.data(), "quality", 1.0);
        long revision = Inputs.longOf(s.data(), "revision", 0);
        long max = Inputs.longOf(s.data(), "maxRevisions", 2);
        return quality < 0.8 && revision <= max ? "revise" : "publish";
    }

    static List<String> nodes() {
        return List.of("outline", "research", "draft", "review", "publish");
    }
}
