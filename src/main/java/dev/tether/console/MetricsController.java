package dev.tether.console;

import dev.tether.run.RunStatus;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.StackedAreaChart;
import javafx.scene.chart.XYChart;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Metrics panel: two charts of {@link MetricsModel}'s samples, and two tables of the last
 * minutes (cancel latency per worker and per graph, outcomes per graph). Charts are costly to lay
 * out, so they are fed only while the panel is on screen, and caught up when it is shown again; the
 * tables are redone at most once a second, and only when a run ended or left the window.
 */
public final class MetricsController {
    @FXML StackedAreaChart<Number, Number> activeChart;
    @FXML LineChart<Number, Number> endedChart;
    @FXML NumberAxis activeX, endedX;
    @FXML TableView<OutcomeStats.LatencyRow> latencyTable;
    @FXML TableColumn<OutcomeStats.LatencyRow, String> latencyScope, latencyName, latencyStops, latencyP50, latencyP99, latencyMax;
    @FXML TableView<OutcomeStats.OutcomeRow> outcomeTable;
    @FXML TableColumn<OutcomeStats.OutcomeRow, String> outcomeGraph, outcomeCompleted, outcomeCancelled, outcomeForced,
            outcomeStuck, outcomeFailed, outcomeLost;

    private final Map<RunStatus, XYChart.Series<Number, Number>> series = new EnumMap<>(RunStatus.class);
    private MetricsModel model;
    private boolean showing;

    void init(MetricsModel model) {
        this.model = model;
        for (var s : MetricsModel.ACTIVE) activeChart.getData().add(series(s));
        for (var s : MetricsModel.ENDED) endedChart.getData().add(series(s));
        for (var x : List.of(activeX, endedX)) x.setTickLabelFormatter(new SecondsAgo(model));
        bounds();
        text(latencyScope, OutcomeStats.LatencyRow::scope);
        text(latencyName, OutcomeStats.LatencyRow::name);
        text(latencyStops, r -> Integer.toString(r.stops()));
        text(latencyP50, r -> Formats.span(r.p50()));
        text(latencyP99, r -> Formats.span(r.p99()));
        text(latencyMax, r -> Formats.span(r.max()));
        text(outcomeGraph, OutcomeStats.OutcomeRow::graph);
        text(outcomeCompleted, r -> Integer.toString(r.completed()));
        text(outcomeCancelled, r -> Integer.toString(r.cancelled()));
        text(outcomeForced, r -> Integer.toString(r.forced()));
        text(outcomeStuck, r -> Integer.toString(r.stuck()));
        text(outcomeFailed, r -> Integer.toString(r.failed()));
        text(outcomeLost, r -> Integer.toString(r.lost()));
        // every column gives up its spare width when the window is narrow, not the last one alone (which left the
        // others at their preferred widths and pushed "max" and "Lost" past the tables' edges at 1280×760)
        for (var t : List.of(latencyTable, outcomeTable)) t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        for (var c : List.of(latencyName, outcomeGraph)) named(c);
        // short columns stay as wide as their header or widest value needs: the names get the rest
        for (var c : List.of(latencyScope, latencyStops, latencyP50, latencyP99, latencyMax, outcomeCompleted, outcomeCancelled,
                outcomeForced, outcomeStuck, outcomeFailed, outcomeLost)) c.maxWidthProperty().bind(c.minWidthProperty());
        latencyTable.setPlaceholder(new Label("No cancel stopped a run in the last " + MetricsModel.RECENT.toMinutes() + " minutes"));
        outcomeTable.setPlaceholder(new Label("No run ended in the last " + MetricsModel.RECENT.toMinutes() + " minutes"));
        model.second().addListener((o, was, now) -> {
            if (!showing) return;
            append(now.longValue());
            tables(true);
        });
    }

    /** A name may be cut at the default size: it shows whole as the cell's tooltip. */
    private static <R> void named(TableColumn<R, String> column) {
        column.setCellFactory(c -> new javafx.scene.control.TableCell<>() {
            @Override protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setTooltip(empty || item == null ? null : new javafx.scene.control.Tooltip(item));
            }
        });
    }

    private static <R> void text(TableColumn<R, String> column, java.util.function.Function<R, String> value) {
        column.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
    }

    private void tables(boolean onlyIfChanged) {
        var recent = model.recent(java.time.Instant.now(), onlyIfChanged);
        if (recent == null) return;
        latencyTable.getItems().setAll(OutcomeStats.latency(recent));
        outcomeTable.getItems().setAll(OutcomeStats.outcomes(recent));
    }

    /** Called when the Metrics tab is selected or left. */
    void setShowing(boolean on) {
        showing = on;
        if (!on) return;
        series.forEach((st, s) -> s.getData().setAll(model.samples(st).stream()
                .map(p -> new XYChart.Data<Number, Number>(p.second(), p.value())).toList()));
        bounds();
        tables(false);
    }

    private void append(long second) {
        series.forEach((st, s) -> {
            var samples = model.samples(st);
            if (samples.isEmpty() || samples.getLast().second() != second) return;
            var data = s.getData();
            data.add(new XYChart.Data<>(second, samples.getLast().value()));
            if (data.size() > MetricsModel.WINDOW_SECONDS + 1) data.remove(0, data.size() - MetricsModel.WINDOW_SECONDS - 1);
        });
        bounds();
    }

    private XYChart.Series<Number, Number> series(RunStatus s) {
        var x = new XYChart.Series<Number, Number>();
        x.setName(s.name().charAt(0) + s.name().substring(1).toLowerCase(Locale.ROOT));
        series.put(s, x);
        return x;
    }

    private void bounds() {
        long t = model.second().get();
        for (var x : List.of(activeX, endedX)) {
            x.setLowerBound(t - MetricsModel.WINDOW_SECONDS);
            x.setUpperBound(t);
        }
    }

    /** Axis labels count back from now. */
    private static final class SecondsAgo extends javafx.util.StringConverter<Number> {
        private final MetricsModel model;

        SecondsAgo(MetricsModel model) {
            this.model = model;
        }

        @Override
        public String toString(Number n) {
            return Long.toString(Math.round(model.second().get() - n.doubleValue()));
        }

        @Override
        public Number fromString(String s) {
            return model.second().get() - Long.parseLong(s);
        }
    }
}
