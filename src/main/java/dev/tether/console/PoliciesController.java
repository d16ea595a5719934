package dev.tether.console;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Policies panel: one line per graph and policy in force (its runs get it unless a submit sets
 * its own), with where the value was set: policies.properties (per graph or per queue) or the
 * graph's definition. Read off the FX thread whenever the tab is shown.
 */
public final class PoliciesController {
    @FXML TableView<Line> table;
    @FXML TableColumn<Line, String> graphColumn, policyColumn, valueColumn, sourceColumn;

    /** One value of one graph's policy. */
    record Line(String graph, String policy, String value, String source) {}

    private Supplier<CompletableFuture<Map<String, dev.tether.run.RunPolicy>>> policies = () -> CompletableFuture.completedFuture(Map.of());

    void init(Supplier<CompletableFuture<Map<String, dev.tether.run.RunPolicy>>> policies) {
        this.policies = policies;
        column(graphColumn, Line::graph);
        column(policyColumn, Line::policy);
        column(valueColumn, Line::value);
        column(sourceColumn, Line::source);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    }

    /** Reads the policies again (the tab was shown): policies.properties may have changed. */
    void refresh() {
        policies.get().thenAccept(byGraph -> {
            var lines = lines(byGraph);
            Platform.runLater(() -> table.getItems().setAll(lines));
        });
    }

    static List<Line> lines(Map<String, dev.tether.run.RunPolicy> byGraph) {
        var lines = new ArrayList<Line>();
        byGraph.forEach((graph, p) -> p.values().forEach((k, v) -> lines.add(new Line(graph, k, v, p.sources().getOrDefault(k, "-")))));
        return lines;
    }

    private static void column(TableColumn<Line, String> c, Function<Line, String> value) {
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
    }
}
