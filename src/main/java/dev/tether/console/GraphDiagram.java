package dev.tether.console;

import dev.tether.run.NodeSpan;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.shape.Circle;
import javafx.scene.shape.CubicCurve;
import javafx.scene.shape.Line;
import javafx.scene.shape.Polygon;
import javafx.scene.shape.Rectangle;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * The selected run's graph, top to bottom: nodes it finished in green, the node it is in now
 * highlighted, the node a cancel stopped it at (or it failed or stuck in) marked. Loops are drawn
 * on the right. Redrawn only when the selected run changes (a few dozen shapes).
 */
final class GraphDiagram extends Pane {
    private static final double ROW = 46, BOX_H = 26, BOX_W = 130, DOT = 7, TOP = 10;

    GraphDiagram() {
        getStyleClass().add("graph-diagram");
    }

    void render(GraphShape shape, RunSnapshot run) {
        getChildren().clear();
        if (shape == null || shape.nodes().isEmpty()) {
            setPrefHeight(0);
            return;
        }
        double width = Math.max(260, getWidth() > 0 ? getWidth() : 300);
        var perLayer = new HashMap<Integer, Integer>();
        var index = new HashMap<String, Integer>();
        for (var n : shape.nodes()) index.put(n.id(), perLayer.merge(n.layer(), 1, Integer::sum) - 1);
        var centers = new HashMap<String, double[]>();
        for (var n : shape.nodes()) {
            int count = perLayer.get(n.layer());
            double slot = (width - 60) / count;
            double x = 20 + slot * index.get(n.id()) + slot / 2;
            double y = TOP + n.layer() * ROW + BOX_H / 2;
            centers.put(n.id(), new double[] {x, y});
        }
        for (var e : shape.edges()) drawEdge(e, centers, shape, width);
        var states = states(run);
        for (var n : shape.nodes()) drawNode(n, centers.get(n.id()), states.get(n.id()));
        setPrefHeight(TOP * 2 + shape.layerCount() * ROW - (ROW - BOX_H));
        setMinHeight(getPrefHeight());
    }

    private void drawEdge(GraphShape.Edge e, Map<String, double[]> c, GraphShape shape, double width) {
        var a = c.get(e.from());
        var b = c.get(e.to());
        if (a == null || b == null) return;
        double ay = a[1] + half(shape, e.from()), by = b[1] - half(shape, e.to());
        if (e.back()) {
            // a loop: out of the right side of the source, up the margin, into the right side of the target
            double ax = a[0] + BOX_W / 2, bx = b[0] + BOX_W / 2;
            var curve = new CubicCurve(ax, a[1], width - 8, a[1], width - 8, b[1], bx, b[1]);
            curve.getStyleClass().addAll("gedge", "gedge-loop");
            getChildren().addAll(curve, arrow(bx, b[1], -1, 0));
            if (e.label() != null) {
                var l = new Label(e.label());
                l.getStyleClass().add("gedge-label");
                l.relocate(width - 50, (a[1] + b[1]) / 2 - 8);
                getChildren().add(l);
            }
            return;
        }
        var line = new Line(a[0], ay, b[0], by);
        line.getStyleClass().add("gedge");
        if (e.conditional()) line.getStyleClass().add("gedge-conditional");
        double dx = b[0] - a[0], dy = by - ay, len = Math.hypot(dx, dy);
        getChildren().addAll(line, arrow(b[0], by, dx / len, dy / len));
        if (e.label() != null) {
            var l = new Label(e.label());
            l.getStyleClass().add("gedge-label");
            l.relocate((a[0] + b[0]) / 2 + 4, (ay + by) / 2 - 8);
            getChildren().add(l);
        }
    }

    private static double half(GraphShape shape, String id) {
        var kind = shape.nodes().stream().filter(n -> n.id().equals(id)).findFirst().map(GraphShape.Node::kind).orElse(null);
        return kind == GraphShape.Kind.START || kind == GraphShape.Kind.END ? DOT : BOX_H / 2;
    }

    private static Polygon arrow(double x, double y, double ux, double uy) {
        double s = 6;
        var p = new Polygon(x, y, x - ux * s - uy * s * 0.6, y - uy * s + ux * s * 0.6, x - ux * s + uy * s * 0.6, y - uy * s - ux * s * 0.6);
        p.getStyleClass().add("gedge-arrow");
        return p;
    }

    private java.util.function.Predicate<String> canResumeFrom = node -> false;
    private java.util.function.Consumer<String> resumeFrom = node -> {};

    /** Offers "Resume from here" on the nodes (and the start) a finished run can continue after. */
    void onResumeFrom(java.util.function.Predicate<String> can, java.util.function.Consumer<String> resume) {
        this.canResumeFrom = can;
        this.resumeFrom = resume;
    }

    private void offerResume(javafx.scene.Node shape, String nodeId) {
        shape.setOnContextMenuRequested(e -> {
            if (!canResumeFrom.test(nodeId)) return;
            var item = new javafx.scene.control.MenuItem(GraphShape.START.equals(nodeId) ? "Resume from the start" : "Resume from here");
            item.setOnAction(a -> resumeFrom.accept(nodeId));
            var menu = new javafx.scene.control.ContextMenu(item);
            menu.show(shape, e.getScreenX(), e.getScreenY());
            e.consume();
        });
    }

    private void drawNode(GraphShape.Node n, double[] c, String state) {
        if (n.kind() == GraphShape.Kind.START || n.kind() == GraphShape.Kind.END) {
            var dot = new Circle(c[0], c[1], DOT);
            dot.getStyleClass().addAll("gterminal", state == null ? "gnode-idle" : state);
            if (n.kind() == GraphShape.Kind.START) offerResume(dot, n.id());
            getChildren().add(dot);
            return;
        }
        var box = new Rectangle(BOX_W, BOX_H);
        box.getStyleClass().addAll("gbox", n.kind() == GraphShape.Kind.CONDITION ? "gbox-condition" : "gbox-node");
        if (n.kind() == GraphShape.Kind.CONDITION) {
            box.setArcWidth(BOX_H);
            box.setArcHeight(BOX_H);
        } else {
            box.setArcWidth(8);
            box.setArcHeight(8);
        }
        var label = new Label(n.label());
        label.getStyleClass().add("gbox-label");
        var node = new StackPane(box, label);
        node.setAlignment(Pos.CENTER);
        node.getStyleClass().addAll("gnode", state == null ? "gnode-idle" : state);
        node.setId("gnode-" + n.id());
        node.relocate(c[0] - BOX_W / 2, c[1] - BOX_H / 2);
        offerResume(node, n.id());
        getChildren().add(node);
    }

    /** Style class per node id, from the run's timeline and status. */
    static Map<String, String> states(RunSnapshot run) {
        var out = new HashMap<String, String>();
        if (run == null) return out;
        var done = new HashSet<String>();
        for (var s : run.timeline()) if (s.outcome() == NodeSpan.Outcome.DONE) done.add(s.node());
        if (run.status() != RunStatus.QUEUED) out.put(GraphShape.START, "gnode-done");
        for (var n : done) out.put(n, "gnode-done");
        var node = run.currentNode();
        switch (run.status()) {
            case RUNNING -> { if (node != null) out.put(node, "gnode-current"); }
            case CANCELLING -> { if (node != null) out.put(node, "gnode-cancelling"); }
            case CANCELLED -> { if (run.cancelledAtNode() != null) out.put(run.cancelledAtNode(), "gnode-cancelled"); }
            case FAILED -> { if (node != null) out.put(node, "gnode-failed"); }
            case STUCK -> { if (node != null) out.put(node, "gnode-stuck"); }
            case LOST -> { if (node != null) out.put(node, "gnode-lost"); }
            case COMPLETED -> out.put(GraphShape.END, "gnode-done");
            default -> { }
        }
        return out;
    }
}
