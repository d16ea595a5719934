package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.scene.chart.StackedAreaChart;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The last two minutes at a glance: active runs by status, and runs finishing per second by how they
 * ended. One sample per second, fed from the console clock; no animation, bounded points.
 */
final class MetricsView extends VBox {
    static final int WINDOW_SECONDS = 120;
    private static final List<RunStatus> ACTIVE = List.of(RunStatus.RUNNING, RunStatus.QUEUED, RunStatus.CANCELLING);
    private static final List<RunStatus> ENDED = List.of(RunStatus.COMPLETED, RunStatus.CANCELLED, RunStatus.FAILED,
            RunStatus.STUCK, RunStatus.LOST);

    private final Map<RunStatus, XYChart.Series<Number, Number>> activeSeries = new EnumMap<>(RunStatus.class);
    private final Map<RunStatus, XYChart.Series<Number, Number>> endedSeries = new EnumMap<>(RunStatus.class);
    private final Map<RunStatus, Integer> endedThisSecond = new EnumMap<>(RunStatus.class);
    private long second = -1;
    private long t;
    /** Samples are kept here always; the charts (costly to lay out) are fed only while they are on screen. */
    private final Map<RunStatus, java.util.ArrayDeque<XYChart.Data<Number, Number>>> history = new EnumMap<>(RunStatus.class);
    private boolean showing;
    private final NumberAxis activeX = axis(), endedX = axis();

    MetricsView() {
        getStyleClass().add("metrics");
        var activeChart = new StackedAreaChart<>(activeX, new NumberAxis());
        activeChart.setCreateSymbols(false);
        activeChart.setTitle("Active runs");
        var endedChart = new LineChart<>(endedX, new NumberAxis());
        endedChart.setTitle("Finished per second");
        endedChart.setCreateSymbols(false);
        for (var s : ACTIVE) activeChart.getData().add(series(s, activeSeries));
        for (var s : ENDED) endedChart.getData().add(series(s, endedSeries));
        for (var c : List.of(activeChart, endedChart)) {
            c.setAnimated(false);
            c.setLegendVisible(true);
            VBox.setVgrow(c, Priority.ALWAYS);
        }
        getChildren().addAll(activeChart, endedChart);
        setSpacing(6);
    }

    private NumberAxis axis() {
        var x = new NumberAxis(-WINDOW_SECONDS, 0, 30);
        x.setAutoRanging(false);
        x.setLabel("seconds ago");
        x.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                return Long.toString(Math.round(t - n.doubleValue()));
            }

            @Override
            public Number fromString(String s) {
                return t - Long.parseLong(s);
            }
        });
        return x;
    }

    private static XYChart.Series<Number, Number> series(RunStatus s, Map<RunStatus, XYChart.Series<Number, Number>> into) {
        var series = new XYChart.Series<Number, Number>();
        series.setName(s.name().charAt(0) + s.name().substring(1).toLowerCase(java.util.Locale.ROOT));
        into.put(s, series);
        return series;
    }

    /** Called when the Metrics tab is selected or left. */
    void setShowing(boolean on) {
        showing = on;
        if (!on) return;
        activeSeries.forEach((st, series) -> series.getData().setAll(copy(st)));
        endedSeries.forEach((st, series) -> series.getData().setAll(copy(st)));
        bounds();
    }

    private List<XYChart.Data<Number, Number>> copy(RunStatus st) {
        var h = history.get(st);
        return h == null ? List.of() : h.stream().map(d -> new XYChart.Data<>(d.getXValue(), d.getYValue())).toList();
    }

    void ended(List<RunSnapshot> runs) {
        for (var r : runs) endedThisSecond.merge(r.status(), 1, Integer::sum);
    }

    /** Called on every clock tick; takes one sample when the wall-clock second changes. */
    void sample(long clockMillis, Map<RunStatus, Integer> counts) {
        long s = clockMillis / 1000;
        if (s == second) return;
        second = s;
        t++;
        for (var st : ACTIVE) add(st, activeSeries.get(st), counts.getOrDefault(st, 0));
        for (var st : ENDED) add(st, endedSeries.get(st), endedThisSecond.getOrDefault(st, 0));
        endedThisSecond.clear();
        if (showing) bounds();
    }

    private void bounds() {
        activeX.setLowerBound(t - WINDOW_SECONDS);
        activeX.setUpperBound(t);
        endedX.setLowerBound(t - WINDOW_SECONDS);
        endedX.setUpperBound(t);
    }

    private void add(RunStatus st, XYChart.Series<Number, Number> series, int value) {
        var h = history.computeIfAbsent(st, k -> new java.util.ArrayDeque<>());
        h.addLast(new XYChart.Data<>(t, value));
        while (h.size() > WINDOW_SECONDS + 1) h.removeFirst();
        if (!showing) return;
        var data = series.getData();
        data.add(new XYChart.Data<>(t, value));
        if (data.size() > WINDOW_SECONDS + 1) data.remove(0, data.size() - WINDOW_SECONDS - 1);
    }
}
