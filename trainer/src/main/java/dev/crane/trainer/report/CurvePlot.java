package dev.crane.trainer.report;

import dev.crane.trainer.train.EpochRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** Training curves as a PNG with Java2D (no plotting dependency): loss, and valid Recall/NDCG@20. */
public final class CurvePlot {
  private static final int W = 1000;
  private static final int H = 420;

  private CurvePlot() {}

  public static void write(List<EpochRecord> history, int bestEpoch, String title, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, 20, 22);
    panel(g, 60, 50, 400, 320, history, bestEpoch, "training loss (mean per batch)",
        new Series("loss", new Color(200, 60, 40), EpochRecord::loss));
    panel(g, 560, 50, 400, 320, history, bestEpoch, "validation",
        new Series("Recall@20", new Color(30, 90, 200), r -> r.valid().get("recall@20")),
        new Series("NDCG@20", new Color(30, 150, 60), r -> r.valid().get("ndcg@20")));
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private record Series(String name, Color color, ToDoubleFunction<EpochRecord> value) {}

  private static void panel(Graphics2D g, int x0, int y0, int w, int h, List<EpochRecord> hist, int best,
      String label, Series... series) {
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (Series s : series) {
      for (EpochRecord r : hist) {
        double v = s.value.applyAsDouble(r);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (hist.isEmpty()) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      hi = lo + 1e-6;
    }
    double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    int n = Math.max(1, hist.size() - 1);
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1));
    g.drawRect(x0, y0, w, h);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(label, x0, y0 - 6);
    g.drawString(String.format("%.4g", hi), x0 - 55, y0 + 10);
    g.drawString(String.format("%.4g", lo), x0 - 55, y0 + h);
    g.drawString("epoch 0", x0, y0 + h + 16);
    g.drawString(Integer.toString(hist.isEmpty() ? 0 : hist.get(hist.size() - 1).epoch()), x0 + w - 20, y0 + h + 16);
    if (best >= 0 && !hist.isEmpty()) {
      int bx = x0 + (int) Math.round((double) indexOf(hist, best) / n * w);
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
      g.drawLine(bx, y0, bx, y0 + h);
      g.drawString("best", bx + 3, y0 + 14);
    }
    int legendY = y0 + h + 34;
    int legendX = x0;
    for (Series s : series) {
      g.setColor(s.color);
      g.setStroke(new BasicStroke(2));
      int px = -1;
      int py = -1;
      for (int k = 0; k < hist.size(); k++) {
        int x = x0 + (int) Math.round((double) k / n * w);
        int y = y0 + h - (int) Math.round((s.value.applyAsDouble(hist.get(k)) - lo) / (hi - lo) * h);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        } else if (hist.size() == 1) {
          g.fillOval(x - 3, y - 3, 6, 6);
        }
        px = x;
        py = y;
      }
      g.fillRect(legendX, legendY - 8, 14, 4);
      g.drawString(s.name, legendX + 18, legendY - 2);
      legendX += 110;
    }
  }

  private static int indexOf(List<EpochRecord> hist, int epoch) {
    for (int k = 0; k < hist.size(); k++) {
      if (hist.get(k).epoch() == epoch) {
        return k;
      }
    }
    return 0;
  }
}
