package dev.tether.console;
import dev.tether.json.Json;
import dev.tether.run.NodeSpan;
import dev.tether.run.RunSnapshot;
import dev.tether.run.StopLevel;
import javafx.beans.value.ObservableLongValue;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The details pane: every field of the run in {@link DetailsModel#run()}, its diagram, node timeline
 * and error; while it can still be stopped, a button per stop level, and a hint where a forced stop
 * is needed or happened. Until the graphs are described (off the FX thread) a run is shown without
 * its diagram.
 */
public final class DetailsController {
    private static final double BAR_MAX = 130;

    @FXML private Label statusBadge;
    @FXML private Label title;
    @FXML private GridPane fields;
    @FXML private VBox timeline;
    @FXML private VBox graphBox;
    @FXML private VBox sections;
    @FXML private VBox errorBox;
    @FXML private Label errorSummary;
    @FXML private TextArea errorStack;
    @FXML private HBox stopBox;
    @FXML private Button stopAfterNodeButton;
    @FXML private Label stopHint;
    @FXML private HBox resumeBox;
    @FXML private VBox attemptsSection;
    @FXML private VBox attemptsBox;
    @FXML private VBox checkpointsSection;
    @FXML private VBox checkpointsBox;
    private BiConsumer<List<String>, StopLevel> stop = (ids, level) -> {};
    private BiConsumer<String, String> resume = (runId, node) -> {};
    private java.util.function.Consumer<List<String>> rollback = ids -> {};

    private DetailsModel model;
    private Label runtimeValue;

    private final GraphDiagram diagram = new GraphDiagram();
    private final java.util.Map<String, GraphShape> shapes = new java.util.HashMap<>();
    private java.util.Map<String, dev.tether.engine.GraphInfo> graphsById;
    private boolean awaitingGraphs;

    /**
     * Renders {@link DetailsModel#run()} whenever it changes; the runtime ticks with {@code clock}.
     *
     * @param stop what stopping runs at a level means (the shell sends them and reports the outcome)
     */
    void init(DetailsModel model, ObservableLongValue clock, BiConsumer<List<String>, StopLevel> stop) {
        this.model = model;
        this.stop = stop;
        stopBox.visibleProperty().bind(model.stoppable());
        stopBox.managedProperty().bind(model.stoppable());
        stopAfterNodeButton.disableProperty().bind(model.stoppableAfterNode().not());
        stopHint.textProperty().bind(model.stopHint());
        stopHint.visibleProperty().bind(model.stopHint().isNotNull());
        stopHint.managedProperty().bind(model.stopHint().isNotNull());
        graphBox.getChildren().setAll(diagram);
        resumeBox.visibleProperty().bind(model.resumable());
        resumeBox.managedProperty().bind(model.resumable());
        diagram.onResumeFrom(model::canResumeFrom, node -> resumeFrom(node));
        model.checkpoints().addListener((javafx.collections.ListChangeListener<dev.tether.engine.CheckpointInfo>) c -> renderResumption());
        model.attempts().addListener((javafx.collections.ListChangeListener<RunSnapshot>) c -> {
            renderResumption();
            if (current() != null && current().isTerminal()) render(); // a retry its policy scheduled is listed in the fields
        });
        model.resumable().addListener(o -> renderResumption());
        clock.addListener(o -> tick());
        model.run().addListener(o -> render());
        render();
    }

    /**
     * @param resume   starts a new attempt of a run after a node (null: its last checkpoint)
     * @param rollback cancels runs and discards their checkpoints
     */
    void initResume(BiConsumer<String, String> resume, java.util.function.Consumer<List<String>> rollback) {
        this.resume = resume;
        this.rollback = rollback;
    }

    @FXML
    void onResume() {
        resumeFrom(null);
    }

    @FXML
    void onRollback() {
        var ids = model.stopTargets(StopLevel.CANCEL);
        if (!ids.isEmpty()) rollback.accept(ids);
    }

    private void resumeFrom(String node) {
        var r = current();
        if (r != null && model.resumable().get()) resume.accept(r.runId(), node);
    }

    /** The attempts (when there are several) and the checkpoints of a finished run. */
    private void renderResumption() {
        var attempts = model.attempts();
        attemptsBox.getChildren().clear();
        boolean several = attempts.size() > 1;
        attemptsSection.setVisible(several);
        attemptsSection.setManaged(several);
        var shown = current();
        for (var a : attempts) {
            var badge = new Label(a.status().name());
            StatusStyles.apply(badge, a.status());
            var what = new Label(a.shortId() + "  " + (a.resumeOf() == null ? "first attempt"
                    : "resumed after " + a.resumeOf().node()) + (shown != null && a.runId().equals(shown.runId()) ? "  (shown)" : ""));
            what.getStyleClass().add("attempt-text");
            attemptsBox.getChildren().add(new HBox(8, badge, what));
        }
        var checkpoints = model.checkpoints();
        checkpointsBox.getChildren().clear();
        boolean any = !checkpoints.isEmpty();
        checkpointsSection.setVisible(any);
        checkpointsSection.setManaged(any);
        for (var c : checkpoints) {
            var text = new Label("after " + c.node() + "   " + Formats.full(c.at()) + (c.bytes() < 0 ? "" : "   " + Formats.bytes(c.bytes())));
            text.getStyleClass().add(c.readable() ? "checkpoint-text" : "checkpoint-unreadable");
            var row = new HBox(8, text);
            row.getStyleClass().add("checkpoint-row");
            if (!c.readable()) {
                text.setText(text.getText() + "   unreadable: " + c.error());
                text.setWrapText(true);
            } else if (model.resumable().get()) {
                var go = new Button("Resume from here");
                go.getStyleClass().addAll("flat", "checkpoint-resume");
                go.setOnAction(e -> resumeFrom(c.node()));
                row.getChildren().add(go);
            }
            checkpointsBox.getChildren().add(row);
        }
    }

    private RunSnapshot current() {
        return model == null ? null : model.run().get();
    }

    private void render() {
        var r = current();
        fields.getChildren().clear();
        timeline.getChildren().clear();
        runtimeValue = null;
        diagram.render(r == null ? null : shape(r.graphId()), r);
        sections.setVisible(r != null);
        sections.setManaged(r != null);
        if (r == null) {
            StatusStyles.apply(statusBadge, null);
            title.setText("Select a run to see its details");
            showError(null);
            return;
        }
        StatusStyles.apply(statusBadge, r.status());
        title.setText(r.graphId() + "  ·  " + r.shortId());
        int row = 0;
        row = selectable(row, "Run id", r.runId());
        row = field(row, "Graph", r.graphId());
        row = field(row, "Queue", r.queue());
        row = field(row, "Worker", r.worker());
        row = field(row, "Current node", r.currentNode());
        row = field(row, "Steps", Integer.toString(r.steps()));
        row = field(row, "Submitted", Formats.full(r.submittedAt()));
        row = field(row, "Started", Formats.full(r.startedAt()));
        row = field(row, "Ended", Formats.full(r.endedAt()));
        runtimeValue = value(Formats.hms(r.runtime(Instant.now())));
        fields.addRow(row++, key("Runtime"), runtimeValue);
        if (r.cancelRequestedAt() != null) {
            row = field(row, "Cancel requested", Formats.full(r.cancelRequestedAt()));
            if (r.stopLevel() != null) row = field(row, "Stop level", r.stopLevel().label());
            if (r.cancelOrigin() != null) row = field(row, "Asked by", Formats.origin(r.cancelOrigin()));
            if (r.cancelReason() != null) row = field(row, "Limit broken", r.cancelReason());
            if (r.status() == dev.tether.run.RunStatus.STUCK) row = field(row, "Stuck in node", r.currentNode());
            else if (r.status() == dev.tether.run.RunStatus.CANCELLED)
                row = field(row, "Cancelled at node", (r.cancelledAtNode() == null ? "before start" : r.cancelledAtNode())
                        + (r.forced() ? " (killed: forced stop)" : ""));
            row = field(row, r.status() == dev.tether.run.RunStatus.STUCK ? "Gave up after" : "Cancel took",
                    Formats.span(r.cancelLatency()));
        }
        row = policyFields(row, r);
        field(row, "Input", r.input() == null || r.input().isEmpty() ? "" : Json.write(r.input()));
        renderTimeline(r);
        showError(r);
    }

    /**
     * The policy in force (each value with where it came from), the attempt this is, why it waits, when
     * its retry falls due and what ended the attempt before it, and the retry that follows a failed one.
     */
    private int policyFields(int row, RunSnapshot r) {
        if (r.waiting() != null) row = field(row, "Waiting", r.waiting());
        var retry = r.retry();
        if (retry != null) {
            row = field(row, "Attempt", retry.label());
            row = field(row, r.status() == dev.tether.run.RunStatus.QUEUED ? "Next retry" : "Retried at", Formats.full(retry.due()));
            row = field(row, "After", retry.after());
            row = field(row, "Retry of", retry.previous().substring(Math.max(0, retry.previous().length() - 8)));
        } else if (r.policy() != null && r.policy().attempts() > 1) {
            row = field(row, "Attempt", "attempt 1 of " + r.policy().attempts());
        }
        if (r.isTerminal()) { // the retry its policy scheduled, once the attempts are read
            for (var a : model.attempts()) {
                if (a.retry() != null && a.retry().previous().equals(r.runId())) {
                    row = field(row, "Next attempt", a.shortId() + ": " + a.retry().label() + ", "
                            + (a.status() == dev.tether.run.RunStatus.QUEUED ? "due " + Formats.full(a.retry().due()) : a.status().name()));
                }
            }
        }
        if (r.deadline() != null && !r.isTerminal()) row = field(row, "Deadline", Formats.full(r.deadline()));
        if (r.policy() != null) {
            var p = r.policy();
            var lines = new java.util.ArrayList<String>();
            p.values().forEach((k, v) -> lines.add(k + " " + v + "  (" + p.sources().getOrDefault(k, "-") + ")"));
            row = field(row, "Policy", String.join("\n", lines));
        }
        return row;
    }

    @FXML
    void onStopAfterNode() {
        stop(StopLevel.AFTER_NODE);
    }

    @FXML
    void onCancel() {
        stop(StopLevel.CANCEL);
    }

    @FXML
    void onKill() {
        stop(StopLevel.KILL);
    }

    private void stop(StopLevel level) {
        var ids = model.stopTargets(level);
        if (!ids.isEmpty()) stop.accept(ids, level);
    }

    private GraphShape shape(String graphId) {
        if (graphsById == null) {
            var described = model.graphs(); // asked on the first selection: describing graphs builds them all
            if (!described.isDone()) { // drawn once they are
                if (!awaitingGraphs) {
                    awaitingGraphs = true;
                    described.whenComplete((list, error) -> javafx.application.Platform.runLater(this::render));
                }
                return null;
            }
            graphsById = new java.util.HashMap<>();
            for (var g : described.getNow(java.util.List.of())) graphsById.put(g.id(), g);
        }
        return shapes.computeIfAbsent(graphId, id -> {
            var g = graphsById.get(id);
            return GraphShape.parse(g == null ? null : g.mermaid());
        });
    }

    private void tick() {
        var r = current();
        if (r == null || runtimeValue == null || r.isTerminal()) return;
        runtimeValue.setText(Formats.hms(r.runtime(Instant.now())));
        if (!r.timeline().isEmpty() && r.timeline().getLast().endedAt() == null) renderTimeline(r);
    }

    private void renderTimeline(RunSnapshot r) {
        timeline.getChildren().clear();
        if (r.timeline().isEmpty()) {
            timeline.getChildren().add(new Label(r.status().isTerminal() ? "No node ran." : "Waiting for the first node…"));
            return;
        }
        // a node that never ended (a STUCK run's) is drawn up to the run's end, not growing forever
        var now = r.isTerminal() && r.endedAt() != null ? r.endedAt() : Instant.now();
        long longest = 1;
        for (var span : r.timeline()) longest = Math.max(longest, span.duration(now).toMillis());
        for (var span : r.timeline()) timeline.getChildren().add(spanRow(span, now, longest, r.isTerminal()));
    }

    private static HBox spanRow(NodeSpan span, Instant now, long longestMillis, boolean runEnded) {
        var name = new Label(span.node());
        name.getStyleClass().add("span-name");
        name.setMinWidth(110);
        name.setPrefWidth(110);
        Duration d = span.duration(now);
        var bar = new Region();
        boolean abandoned = runEnded && span.outcome() == NodeSpan.Outcome.RUNNING;
        bar.getStyleClass().addAll("span-bar", abandoned ? "span-abandoned" : "span-" + span.outcome().name().toLowerCase(java.util.Locale.ROOT));
        double w = Math.max(3, BAR_MAX * d.toMillis() / (double) longestMillis);
        bar.setMinWidth(w);
        bar.setPrefWidth(w);
        bar.setMaxWidth(w);
        boolean open = span.outcome() == NodeSpan.Outcome.RUNNING;
        var time = new Label(Formats.span(d) + (open ? (runEnded ? "  abandoned" : "  running") : ""));
        time.getStyleClass().add("span-time");
        time.setMinWidth(javafx.scene.control.Label.USE_PREF_SIZE);
        var rowBox = new HBox(8, name, bar, time);
        rowBox.getStyleClass().add("span-row");
        HBox.setHgrow(time, Priority.ALWAYS);
        return rowBox;
    }

    private void showError(RunSnapshot r) {
        boolean has = r != null && r.error() != null;
        errorBox.setVisible(has);
        errorBox.setManaged(has);
        errorSummary.setText(has ? r.error().summary() : "");
        errorStack.setText(has ? r.error().stackTrace() : "");
    }

    private int field(int row, String k, String v) {
        fields.addRow(row, key(k), value(Formats.orDash(v == null || v.isEmpty() ? null : v)));
        return row + 1;
    }

    private int selectable(int row, String k, String v) {
        var tf = new TextField(v);
        tf.setEditable(false);
        tf.setPrefColumnCount(12);
        tf.setMinWidth(0);
        tf.getStyleClass().add("selectable-value");
        fields.addRow(row, key(k), tf);
        return row + 1;
    }

    private static Label key(String text) {
        var l = new Label(text);
        l.getStyleClass().add("field-key");
        return l;
    }

    private static Label value(String text) {
        var l = new Label(text);
        l.getStyleClass().add("field-value");
        l.setWrapText(true);
        l.setMinWidth(0);
        return l;
    }
}
