package dev.tether.console;

import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a JavaFX image as PNG (no Swing bridge needed). */
final class Png {
    private Png() {}

    static void write(Image image, Path file) throws IOException {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        int[] argb = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        var out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        out.setRGB(0, 0, w, h, argb, 0, w);
        javax.imageio.ImageIO.write(out, "png", file.toFile());
    }
}
