package dev.tether.console;

import dev.tether.api.Inputs;
import dev.tether.engine.GraphInfo;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Submit a run: a graph from the registered definitions, its queue, its input as key/value pairs
 * typed like the graph's defaults, and its own limits (max-runtime, max-node-time, max-queued,
 * max-steps, retries; empty: the graph's, shown as the prompt). Submit stays disabled while anything
 * is invalid, and the reason is shown in one line.
 */
final class SubmitDialog extends Dialog<SubmitDialog.Request> {
    static final ButtonType SUBMIT = new ButtonType("Submit", ButtonBar.ButtonData.OK_DONE);

    /** @param policy the run's own limits; null for none (its graph's and queue's apply) */
    record Request(String graphId, String queue, Map<String, Object> input, dev.tether.run.RunPolicy policy) {}

    /** The limits a submit may set here, in the order shown: key as in policies.properties, and its label. */
    private static final List<Map.Entry<String, String>> LIMITS = List.of(Map.entry("max-runtime", "Max runtime"),
            Map.entry("max-node-time", "Max node time"), Map.entry("max-queued", "Max queued"),
            Map.entry("max-steps", "Max steps"), Map.entry("retries", "Retries"));
    private final Map<String, TextField> limits = new LinkedHashMap<>();

    private final ComboBox<GraphInfo> graph = new ComboBox<>();
    private final Label description = new Label();
    private final TextField queue = new TextField();
    private final VBox inputRows = new VBox(6);
    private final Label problem = new Label();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");

    SubmitDialog(Window owner, List<GraphInfo> graphs) {
        initOwner(owner);
        setTitle("Submit run");
        setHeaderText("Run a graph");
        getDialogPane().getStyleClass().add("submit-dialog");
        if (owner != null && owner.getScene() != null) getDialogPane().getStylesheets().setAll(owner.getScene().getStylesheets());
        getDialogPane().getButtonTypes().setAll(SUBMIT, ButtonType.CANCEL);

        graph.setId("graphChoice");
        graph.setItems(FXCollections.observableArrayList(graphs));
        graph.setCellFactory(l -> new GraphCell());
        graph.setButtonCell(new GraphCell());
        graph.setMaxWidth(Double.MAX_VALUE);
        description.getStyleClass().add("hint");
        description.setWrapText(true);
        queue.setId("queueField");
        problem.setId("submitProblem");
        problem.getStyleClass().add("problem");
        problem.textProperty().bind(error);

        var addInput = new Button("+ Add input");
        addInput.setId("addInput");
        addInput.setOnAction(e -> addRow("", "", null));

        var grid = new GridPane(10, 8);
        grid.addRow(0, new Label("Graph"), graph);
        grid.add(description, 1, 1);
        grid.addRow(2, new Label("Queue"), queue);
        grid.add(new Label("Input"), 0, 3);
        grid.add(new VBox(6, inputRows, addInput), 1, 3);
        var limitRow = new HBox(6);
        for (var e : LIMITS) {
            var f = new TextField();
            f.setId(e.getKey().replace("-", "") + "Field");
            f.setPrefColumnCount(5);
            f.setTooltip(new javafx.scene.control.Tooltip(e.getValue() + " (" + e.getKey() + "): empty for the graph's"));
            f.textProperty().addListener(o -> validate());
            limits.put(e.getKey(), f);
            limitRow.getChildren().add(new VBox(2, new Label(e.getValue()), f));
        }
        grid.add(new Label("Policy"), 0, 4);
        grid.add(limitRow, 1, 4);
        GridPane.setHgrow(graph, Priority.ALWAYS);
        var content = new VBox(12, grid, problem);
        content.setPadding(new Insets(4, 0, 0, 0));
        content.setPrefWidth(520);
        getDialogPane().setContent(content);

        graph.valueProperty().addListener((o, a, g) -> choose(g));
        queue.textProperty().addListener(o -> validate());
        Node submit = getDialogPane().lookupButton(SUBMIT);
        submit.setId("dialogSubmit");
        submit.disableProperty().bind(Bindings.isNotEmpty(error));

        setResultConverter(b -> b == SUBMIT ? request() : null);
        if (!graphs.isEmpty()) graph.getSelectionModel().selectFirst();
        else error.set("No graphs are registered.");
    }

    private void choose(GraphInfo g) {
        inputRows.getChildren().clear();
        if (g == null) return;
        description.setText(g.description());
        queue.setText(g.defaultQueue());
        g.defaultInput().forEach((k, v) -> addRow(k, String.valueOf(v), v));
        // the graph's own values (and where from) as prompts: an empty field keeps them
        var values = g.policy() == null ? Map.<String, String>of() : g.policy().values();
        limits.forEach((k, f) -> f.setPromptText(values.getOrDefault(k, "none")));
        validate();
    }

    private void addRow(String key, String value, Object example) {
        var k = new TextField(key);
        k.setPromptText("key");
        k.setPrefColumnCount(10);
        k.getStyleClass().add("input-key");
        var v = new TextField(value);
        v.setPromptText("value");
        v.getStyleClass().add("input-value");
        var type = new Label(example == null ? "text" : Inputs.typeName(example));
        type.getStyleClass().add("hint");
        type.setMinWidth(80);
        var remove = new Button("✕");
        remove.getStyleClass().add("flat");
        var row = new HBox(6, k, v, type, remove);
        HBox.setHgrow(v, Priority.ALWAYS);
        remove.setOnAction(e -> {
            inputRows.getChildren().remove(row);
            validate();
        });
        k.textProperty().addListener(o -> validate());
        v.textProperty().addListener(o -> validate());
        inputRows.getChildren().add(row);
        validate();
    }

    /** Typed input, or an exception whose message is the one line the operator sees. */
    private Map<String, Object> input() {
        var g = graph.getValue();
        var raw = new LinkedHashMap<String, String>();
        for (var n : inputRows.getChildren()) {
            var row = (HBox) n;
            var key = ((TextField) row.getChildren().get(0)).getText().trim();
            var value = ((TextField) row.getChildren().get(1)).getText();
            if (key.isEmpty() && value.isEmpty()) continue;
            if (key.isEmpty()) throw new IllegalArgumentException("an input value has no key");
            if (raw.put(key, value) != null) throw new IllegalArgumentException("input '" + key + "' is given twice");
        }
        return Inputs.coerce(g == null ? Map.of() : g.defaultInput(), raw);
    }

    private void validate() {
        if (graph.getValue() == null) {
            error.set("Choose a graph.");
            return;
        }
        if (!dev.tether.engine.QueueNames.isValid(queue.getText().trim())) {
            error.set("Queue must be " + dev.tether.engine.Names.RULE + ".");
            return;
        }
        try {
            dev.tether.engine.InputLimit.require(input());
            policy();
            error.set("");
        } catch (IllegalArgumentException e) {
            error.set(Character.toUpperCase(e.getMessage().charAt(0)) + e.getMessage().substring(1) + ".");
        }
    }

    /** The run's own limits as typed (empty fields left out); null when none is typed. */
    private dev.tether.run.RunPolicy policy() {
        var typed = new LinkedHashMap<String, String>();
        limits.forEach((k, f) -> {
            if (!f.getText().isBlank()) typed.put(k, f.getText().trim());
        });
        return typed.isEmpty() ? null : dev.tether.run.RunPolicy.ofRun(typed);
    }

    private Request request() {
        return new Request(graph.getValue().id(), queue.getText().trim(), input(), policy());
    }

    private static final class GraphCell extends ListCell<GraphInfo> {
        @Override
        protected void updateItem(GraphInfo g, boolean empty) {
            super.updateItem(g, empty);
            setText(empty || g == null ? null : g.title() + "  (" + g.id() + ")");
        }
    }
}
