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

    /**
     * Shows {@code status} as a badge on {@code label}; null hides it. Touches the style classes only
     * when the status changes: every change of the list restyles the node, and a busy row's badge is
     * re-applied on each of its snapshot changes, many times a second.
     */
    static void apply(Labeled label, RunStatus status) {
        var classes = label.getStyleClass();
        if (!classes.contains("badge")) classes.add("badge");
        if (status == null) {
            classes.removeAll(ALL);
            label.setText(null);
            label.setVisible(false);
            return;
        }
        var wanted = ALL[status.ordinal()];
        if (!classes.contains(wanted)) {
            classes.removeAll(ALL);
            classes.add(wanted);
        }
        label.setVisible(true);
        label.setText(status.name());
    }
}
