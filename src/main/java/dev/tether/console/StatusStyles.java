package dev.tether.console;

import dev.tether.run.RunStatus;
import javafx.scene.control.Labeled;

import java.util.Locale;

/** Status badges: one style class per status, colours in CSS (so themes can change them). */
final class StatusStyles {
    private static final String[] ALL;

    static {
        var values = RunStatus.values();
        ALL = new String[values.length];
        for (int i = 0; i < values.length; i++) ALL[i] = styleClass(values[i]);
    }

    private StatusStyles() {}

    static String styleClass(RunStatus s) {
        return "status-" + s.name().toLowerCase(Locale.ROOT);
    }

    /** Shows {@code status} as a badge on {@code label}; null hides it. */
    static void apply(Labeled label, RunStatus status) {
        label.getStyleClass().removeAll(ALL);
        if (!label.getStyleClass().contains("badge")) label.getStyleClass().add("badge");
        if (status == null) {
            label.setText(null);
            label.setVisible(false);
            return;
        }
        label.setVisible(true);
        label.setText(status.name());
        label.getStyleClass().add(styleClass(status));
    }
}
