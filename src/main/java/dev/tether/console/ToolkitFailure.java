package dev.tether.console;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/**
 * Why the desktop toolkit would not start, in one line that says what to do: JavaFX's own words
 * ("Unable to load glass GTK library", "Unable to open DISPLAY") name neither the missing package
 * nor the alternatives.
 */
public final class ToolkitFailure {
    static final String GTK_PACKAGE = "libgtk-3-0";

    private ToolkitFailure() {}

    public static String explain(Throwable failure) {
        var text = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (var t = failure; t != null && seen.add(t); t = t.getCause()) {
            text.append(' ').append(t.getClass().getName()).append(": ").append(t.getMessage());
        }
        var all = text.toString().toLowerCase(Locale.ROOT);
        if (all.contains("gtk")) {
            return "cannot open the console: the GTK 3 library is missing; install it (Debian/Ubuntu: `sudo apt-get install "
                    + GTK_PACKAGE + "`, Fedora: `sudo dnf install gtk3`) or use `tether serve` for a headless instance";
        }
        if (all.contains("display")) {
            return "cannot open the console: no display (is DISPLAY set?); use `tether serve` for a headless instance, or run under xvfb-run";
        }
        if (all.contains("already open")) return "cannot open the console: " + failure.getMessage();
        var first = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage().strip();
        return "cannot open the console (" + first.lines().findFirst().orElse(first) + "); for a headless instance use `tether serve`";
    }
}
