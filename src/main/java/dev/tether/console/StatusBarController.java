package dev.tether.console;

import dev.tether.run.RunStatus;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Label;
import org.controlsfx.control.StatusBar;

import java.util.ArrayList;
import java.util.Locale;

/** The status bar: a count per status (dimmed at zero), executor use, and the summary, bound to {@link StatusModel}. */
public final class StatusBarController {
    @FXML StatusBar bar;

    void init(StatusModel model) {
        var items = new ArrayList<Node>();
        for (var s : RunStatus.values()) {
            var l = new Label();
            l.getStyleClass().addAll("count", StatusStyles.styleClass(s));
            l.setId("count-" + s.name().toLowerCase(Locale.ROOT));
            var name = s.name().charAt(0) + s.name().substring(1).toLowerCase(Locale.ROOT);
            var count = model.count(s);
            l.textProperty().bind(count.asString(name + " %d"));
            l.opacityProperty().bind(javafx.beans.binding.Bindings.when(count.isEqualTo(0)).then(0.45).otherwise(1.0));
            items.add(l);
        }
        var executor = new Label();
        executor.setId("executorUse");
        executor.getStyleClass().add("executor");
        executor.textProperty().bind(model.executor());
        items.add(executor);
        bar.getRightItems().setAll(items);
        bar.textProperty().bind(model.summary());
    }
}
