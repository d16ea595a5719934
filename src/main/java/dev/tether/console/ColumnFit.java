package dev.tether.console;

import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumnBase;
import javafx.scene.control.TableView;
import javafx.scene.control.skin.TableColumnHeader;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

import java.util.Collection;

/**
 * Column widths from what they must show, measured in the fonts the theme gives them, so that no
 * header and no status badge is ever cut ("COMPLE…", "Cance…") whatever font the desktop has. A
 * table with a constrained resize policy then shrinks only what has room to spare.
 */
final class ColumnFit {
    /** Room for the sort arrow beside a header's text. */
    private static final double SORT_ARROW = 10;

    private ColumnFit() {}

    /** Every column of {@code table} at least as wide as its header, once the header is styled. */
    static void headers(TableView<?> table) {
        if (table.getSkin() != null) Platform.runLater(() -> fitHeaders(table));
        table.skinProperty().addListener((o, was, skin) -> {
            // the header's labels get their font in the CSS pass that made the skin: measure after it
            if (skin != null) Platform.runLater(() -> fitHeaders(table));
        });
    }

    private static void fitHeaders(TableView<?> table) {
        if (table.getScene() == null) return;
        table.applyCss(); // the fonts the theme gives the headers, now (a numeric column's header is monospaced)
        for (Node n : table.lookupAll(".column-header")) {
            if (!(n instanceof TableColumnHeader header) || header.getTableColumn() == null) continue;
            var label = header.lookup(".label");
            if (!(label instanceof Label l) || l.getText() == null || l.getText().isEmpty()) continue;
            double need = width(l.getText(), l.getFont()) + l.snappedLeftInset() + l.snappedRightInset()
                    + header.snappedLeftInset() + header.snappedRightInset() + SORT_ARROW;
            atLeast(header.getTableColumn(), need);
        }
    }

    /** {@code column} at least as wide as the widest of {@code texts} in {@code font}, plus {@code extra}. */
    static void contents(TableColumnBase<?, ?> column, Collection<String> texts, Font font, double extra) {
        double widest = 0;
        for (var t : texts) widest = Math.max(widest, width(t, font));
        atLeast(column, widest + extra);
    }

    private static void atLeast(TableColumnBase<?, ?> column, double width) {
        double w = Math.ceil(width);
        if (column.getMinWidth() >= w) return;
        column.setMinWidth(w);
        if (column.getPrefWidth() < w) column.setPrefWidth(w);
        // rows of a fixed cell size keep their cells' old widths until asked to lay them out again:
        // once, after this pulse (the cells stay; a refresh would make new ones under the pointer)
        if (column instanceof javafx.scene.control.TableColumn<?, ?> c && c.getTableView() != null) {
            var table = c.getTableView();
            if (table.getProperties().putIfAbsent(RELAYOUT_PENDING, true) == null) {
                Platform.runLater(() -> {
                    table.getProperties().remove(RELAYOUT_PENDING);
                    fitToTable(table);
                    for (var row : table.lookupAll(".table-row-cell")) if (row instanceof javafx.scene.Parent p) p.requestLayout();
                });
            }
        }
    }

    private static final String RELAYOUT_PENDING = "tether.columnFitRelayout";

    /**
     * A constrained table applies its policy when its width changes, not when a column's widths do:
     * wider columns stayed at their new widths and pushed the last ones past the table's right edge
     * (the Metrics tables at 1280×760). The policy is run again as for a resize of the table.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void fitToTable(TableView<?> table) {
        var policy = table.getColumnResizePolicy();
        if (policy == null || policy == TableView.UNCONSTRAINED_RESIZE_POLICY || table.getWidth() <= 0) return;
        ((javafx.util.Callback) policy).call(new TableView.ResizeFeatures(table, null, 0.0));
    }

    static double width(String text, Font font) {
        var t = new Text(text);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }
}
