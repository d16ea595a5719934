package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.geometry.Pos;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;

import java.util.List;
import java.util.function.Supplier;

/**
 * Desktop notifications for what needs an operator: failures and STUCK runs. One notification per
 * kind per pulse, however many runs it covers, so a burst of failures cannot bury the screen.
 */
final class Notifier {
    private final Supplier<Window> owner;
    private final java.util.ArrayDeque<String> shown = new java.util.ArrayDeque<>();

    Notifier(Supplier<Window> owner) {
        this.owner = owner;
    }

    void ended(List<RunSnapshot> ended) {
        var failed = ended.stream().filter(r -> r.status() == RunStatus.FAILED).toList();
        var stuck = ended.stream().filter(r -> r.status() == RunStatus.STUCK).toList();
        var lost = ended.stream().filter(r -> r.status() == RunStatus.LOST).toList();
        if (!failed.isEmpty()) {
            error(failed.size() == 1 ? "Run failed: " + label(failed.getFirst()) : failed.size() + " runs failed",
                    failed.size() == 1 && failed.getFirst().error() != null ? failed.getFirst().error().summary()
                            : "See History for the errors.");
        }
        if (!stuck.isEmpty()) {
            warning(stuck.size() == 1 ? "Run stuck: " + label(stuck.getFirst()) : stuck.size() + " runs stuck",
                    "A node ignored the cancel; its thread cannot be stopped in-process and is abandoned. Process isolation for its graph would kill it.");
        }
        if (!lost.isEmpty()) {
            warning(lost.size() == 1 ? "Run lost: " + label(lost.getFirst()) : lost.size() + " runs lost",
                    "Their worker stopped answering.");
        }
    }

    void error(String title, String text) {
        show(title, Notifications.create().title(title).text(wrap(text, WIDTH)), true);
    }

    void warning(String title, String text) {
        show(title, Notifications.create().title(title).text(wrap(text, WIDTH)), false);
    }

    /** Characters per line of a notification's text: a notification does not wrap, and a long line runs off the screen. */
    static final int WIDTH = 48;

    /** {@code text} with each line broken at spaces into lines of at most {@code width} characters (a longer word stays whole). */
    static String wrap(String text, int width) {
        var out = new StringBuilder();
        for (var line : text.split("\n", -1)) {
            if (!out.isEmpty()) out.append('\n');
            int used = 0;
            for (var word : line.split(" ")) {
                if (used > 0 && used + 1 + word.length() > width) {
                    out.append('\n');
                    used = 0;
                } else if (used > 0) {
                    out.append(' ');
                    used++;
                }
                out.append(word);
                used += word.length();
            }
        }
        return out.toString();
    }

    void information(String title, String text) {
        remember(title);
        var w = owner.get();
        if (w == null || !w.isShowing()) return;
        Notifications.create().title(title).text(wrap(text, WIDTH)).owner(w).position(Pos.BOTTOM_RIGHT).hideAfter(Duration.seconds(5)).showInformation();
    }

    private void remember(String title) {
        if (shown.size() == 100) shown.removeFirst();
        shown.addLast(title);
    }

    private void show(String title, Notifications n, boolean error) {
        remember(title);
        var w = owner.get();
        if (w == null || !w.isShowing()) return;
        n.owner(w).position(Pos.BOTTOM_RIGHT).hideAfter(Duration.seconds(8));
        if (error) n.showError();
        else n.showWarning();
    }

    /** Titles of the last 100 notifications, newest last (what an operator was told). */
    List<String> shown() {
        return List.copyOf(shown);
    }

    private static String label(RunSnapshot r) {
        return r.graphId() + " " + r.shortId();
    }
}
