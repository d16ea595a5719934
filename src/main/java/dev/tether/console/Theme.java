package dev.tether.console;

import javafx.scene.Scene;

import java.util.List;
import java.util.Objects;

/** Light and dark looks: one shared stylesheet for shapes, one per theme for colours. */
public enum Theme {
    LIGHT("light.css"), DARK("dark.css");

    private final String colours;

    Theme(String colours) {
        this.colours = colours;
    }

    void applyTo(Scene scene) {
        scene.getStylesheets().setAll(stylesheets());
    }

    List<String> stylesheets() {
        return List.of(url(colours), url("console.css"));
    }

    Theme other() {
        return this == LIGHT ? DARK : LIGHT;
    }

    private static String url(String name) {
        return Objects.requireNonNull(Theme.class.getResource(name), name).toExternalForm();
    }
}
