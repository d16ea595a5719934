package dev.tether.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A graph's nodes and edges, read from the Mermaid text LangGraph4j renders for it, with a layer per
 * node (longest path from start, ignoring loops) so it can be drawn top to bottom.
 */
record GraphShape(List<Node> nodes, List<Edge> edges) {
    static final String START = "__START__";
    static final String END = "__END__";

    enum Kind { START, END, NODE, CONDITION }

    record Node(String id, String label, Kind kind, int layer) {}

    /** {@code back} edges point to an earlier layer: loops such as "revise". */
    record Edge(String from, String to, boolean conditional, String label, boolean back) {}

    private static final Pattern NODE = Pattern.compile("^\\s*([\\w-]+)(\\(\\(|\\(\"|\\{\")(.*?)(\\)\\)|\"\\)|\"\\})\\s*$");
    private static final Pattern EDGE = Pattern.compile(
            "^\\s*([\\w-]+)(?::::[\\w-]+)?\\s*(-->|-\\.->)(?:\\|([^|]*)\\|)?\\s*([\\w-]+)(?::::[\\w-]+)?\\s*$");

    static GraphShape parse(String mermaid) {
        var kinds = new LinkedHashMap<String, Kind>();
        var labels = new HashMap<String, String>();
        var raw = new ArrayList<String[]>();
        if (mermaid == null) return new GraphShape(List.of(), List.of());
        for (var line : mermaid.split("\\R")) {
            if (line.trim().startsWith("%%")) continue;
            var n = NODE.matcher(line);
            if (n.matches()) {
                var id = n.group(1);
                kinds.put(id, id.equals(START) ? Kind.START : id.equals(END) ? Kind.END
                        : n.group(2).equals("{\"") ? Kind.CONDITION : Kind.NODE);
                labels.put(id, n.group(3));
                continue;
            }
            var e = EDGE.matcher(line);
            if (e.matches()) raw.add(new String[] {e.group(1), e.group(4), e.group(2), e.group(3)});
        }
        var out = new HashMap<String, List<String>>();
        for (var r : raw) out.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
        var layer = layers(kinds.keySet(), out);
        var nodes = new ArrayList<Node>();
        kinds.forEach((id, kind) -> nodes.add(new Node(id, labels.get(id), kind, layer.getOrDefault(id, 0))));
        nodes.sort(java.util.Comparator.comparingInt(Node::layer));
        var edges = new ArrayList<Edge>();
        for (var r : raw) {
            edges.add(new Edge(r[0], r[1], r[2].equals("-.->"), r[3],
                    layer.getOrDefault(r[1], 0) <= layer.getOrDefault(r[0], 0)));
        }
        return new GraphShape(List.copyOf(nodes), List.copyOf(edges));
    }

    /** Layer = depth along a DFS spanning tree from start; edges back into the current path are loops. */
    private static Map<String, Integer> layers(java.util.Set<String> ids, Map<String, List<String>> out) {
        var layer = new HashMap<String, Integer>();
        var onPath = new java.util.HashSet<String>();
        var backEdges = new java.util.HashSet<String>();
        dfs(START, out, onPath, backEdges, new java.util.HashSet<>());
        // longest path over the forward edges only (a DAG now)
        var queue = new ArrayDeque<String>();
        layer.put(START, 0);
        queue.add(START);
        int guard = 0;
        while (!queue.isEmpty() && guard++ < 10_000) {
            var from = queue.poll();
            for (var to : out.getOrDefault(from, List.of())) {
                if (backEdges.contains(from + "->" + to)) continue;
                int l = layer.get(from) + 1;
                if (layer.getOrDefault(to, -1) < l) {
                    layer.put(to, l);
                    queue.add(to);
                }
            }
        }
        for (var id : ids) layer.putIfAbsent(id, 0);
        return layer;
    }

    private static void dfs(String at, Map<String, List<String>> out, java.util.Set<String> onPath,
                            java.util.Set<String> backEdges, java.util.Set<String> done) {
        onPath.add(at);
        for (var to : out.getOrDefault(at, List.of())) {
            if (onPath.contains(to)) backEdges.add(at + "->" + to);
            else if (!done.contains(to)) dfs(to, out, onPath, backEdges, done);
        }
        onPath.remove(at);
        done.add(at);
    }

    int layerCount() {
        return nodes.stream().mapToInt(Node::layer).max().orElse(-1) + 1;
    }
}
