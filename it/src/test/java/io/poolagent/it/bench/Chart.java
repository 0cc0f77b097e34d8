package io.poolagent.it.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Two bar panels, throughput and p95 latency, one bar per setup: the benchmark's one picture. */
final class Chart {

    private static final Color[] COLORS = {
        new Color(0xC0504D), new Color(0x4F81BD), new Color(0x9BBB59), new Color(0x8064A2),
        new Color(0x7FA7D8), new Color(0x4BACC6)};

    private Chart() {
    }

    static void write(Path png, List<String> setups, double[] throughput, double[] p95Ms, String caption)
            throws IOException {
        int width = 1400;
        int height = 460;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        panel(g, 40, 50, 640, 320, "throughput (requests/s, higher is better)", setups, throughput, "%.0f");
        panel(g, 730, 50, 640, 320, "p95 latency (ms, lower is better)", setups, p95Ms, "%.0f");
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(caption, 40, height - 20);
        g.dispose();
        Files.createDirectories(png.getParent());
        ImageIO.write(image, "png", png.toFile());
    }

    private static void panel(Graphics2D g, int x, int y, int w, int h, String title, List<String> setups,
                              double[] values, String format) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, x, y - 15);
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Double.isNaN(v) ? 0 : v);
        }
        max = max == 0 ? 1 : max * 1.15;
        g.setStroke(new BasicStroke(1));
        g.drawLine(x, y + h, x + w, y + h);
        int slot = w / values.length;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < values.length; i++) {
            double v = Double.isNaN(values[i]) ? 0 : values[i];
            int barHeight = (int) (h * v / max);
            int bx = x + i * slot + slot / 6;
            int bw = slot * 2 / 3;
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(bx, y + h - barHeight, bw, barHeight);
            g.setColor(Color.BLACK);
            String label = Double.isNaN(values[i]) ? "skipped" : String.format(Locale.ROOT, format, v);
            g.drawString(label, bx + (bw - g.getFontMetrics().stringWidth(label)) / 2, y + h - barHeight - 5);
            String name = setups.get(i);
            String[] lines = {name};
            int middle = name.indexOf(' ', name.length() / 2 - 2);
            if (g.getFontMetrics().stringWidth(name) > slot - 4 && middle > 0) {
                lines = new String[] {name.substring(0, middle), name.substring(middle + 1)};
            }
            for (int line = 0; line < lines.length; line++) {
                g.drawString(lines[line], bx + (bw - g.getFontMetrics().stringWidth(lines[line])) / 2, y + h + 18 + 15 * line);
            }
        }
    }
}
