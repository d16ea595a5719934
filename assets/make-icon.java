import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;

/**
 * Draws Tether's icon: a graph node held by a tether (ring, line, anchor) on a teal tile.
 * Run from the project root: {@code java assets/make-icon.java} (writes assets/tether.png and sizes).
 */
public class MakeIcon {
    public static void main(String[] args) throws Exception {
        for (int size : new int[] {512, 256, 128, 48, 32}) {
            var img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
            var g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            double s = size / 256.0;
            g.scale(s, s);
            g.setPaint(new GradientPaint(0, 0, new Color(0x14b8a6), 256, 256, new Color(0x0f5f59)));
            g.fill(new RoundRectangle2D.Double(8, 8, 240, 240, 56, 56));
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(16, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new Ellipse2D.Double(98, 40, 60, 60));          // the ring: a node
            g.draw(new Line2D.Double(128, 100, 128, 196));         // the tether
            g.draw(new Arc2D.Double(72, 140, 112, 80, 200, 140, Arc2D.OPEN)); // the anchor's arms
            g.draw(new Line2D.Double(100, 136, 156, 136));         // the stock
            g.setColor(new Color(0xfbbf24));
            g.fill(new Ellipse2D.Double(116, 58, 24, 24));         // a running run
            g.dispose();
            var name = size == 256 ? "tether.png" : "tether-" + size + ".png";
            ImageIO.write(img, "png", new File("assets", name));
        }
    }
}
