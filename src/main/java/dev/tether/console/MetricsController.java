package dev.tether.console;

import dev.tether.run.RunStatus;
import javafx.fxml.FXML;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.StackedAreaChart;
import javafx.scene.chart.XYChart;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Metrics panel: two charts of {@link MetricsModel}'s samples. Charts are costly to lay out, so
 * they are fed only while the panel is on screen, and caught up when it is shown again.
 */
public final class MetricsController {
    @FXML StackedAreaChart<Number, Number> activeChart;
    @FXML LineChart<Number, Number> endedChart;
    @FXML NumberAxis activeX, endedX;

    private final Map<RunStatus, XYChart.Series<Number, Number>> series = new EnumMap<>(RunStatus.class);
    private MetricsModel model;
    private boolean showing;

    void init(MetricsModel model) {
        this.model = model;
        for (var s : MetricsModel.ACTIVE) activeChart.getData().add(series(s));
        for (var s : MetricsModel.ENDED) endedChart.getData().add(series(s));
        for (var x : List.of(activeX, endedX)) x.setTickLabelFormatter(new SecondsAgo(model));
        bounds();
        model.second().addListener((o, was, now) -> {
            if (showing) append(now.longValue());
        });
    }

    /** Called when the Metrics tab is selected or left. */
    void setShowing(boolean on) {
        showing = on;
        if (!on) return;
        series.forEach((st, s) -> s.getData().setAll(model.samples(st).stream()
                .map(p -> new XYChart.Data<Number, Number>(p.second(), p.value())).toList()));
        bounds();
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
