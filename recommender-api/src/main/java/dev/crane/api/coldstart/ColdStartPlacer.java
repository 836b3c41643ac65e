package dev.crane.api.coldstart;

import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.model.Projection;
import dev.crane.api.model.VersionInfo;
import dev.crane.api.topk.TopKHeap;
import dev.crane.api.topk.Hits;
import java.util.Map;

/**
 * Places an item that arrived after training (schemas/EMBEDDINGS.md, cold start): its raw features
 * through the version's projections give its content vector; its k nearest trained items by cosine
 * of content, with weights = similarities clipped at zero and row-normalised (Eq. 14), give each of
 * its parts as the weighted sum of theirs. Its degree is 0.
 */
public final class ColdStartPlacer {
  /** A placed item's parts. {@code semantic} is null when the version's items have none. */
  public record Placement(float[] vector, float[] collaborative, float[] semantic, int neighbours) {}

  /** Why an item cannot be placed; null fields mean it can. */
  public record Outcome(Placement placement, String unplaceable) {}

  private final int neighbours;

  public ColdStartPlacer(int neighbours) {
    if (neighbours < 1) {
      throw new IllegalArgumentException("cold-start neighbours must be >= 1, got " + neighbours);
    }
    this.neighbours = neighbours;
  }

  /**
   * @param features the item's raw features by modality name
   */
  public Outcome place(VersionInfo info, EmbeddingTable items, Map<String, float[]> features) {
    if (info.projections().isEmpty() || items.content() == null) {
      return new Outcome(null, "the version has no content space");
    }
    float[] content = new float[info.contentDim()];
    int offset = 0;
    for (Projection p : info.projections()) {
      float[] x = features.get(p.modality());
      if (x == null) {
        return new Outcome(null, "modality " + p.modality() + " is missing");
      }
      if (x.length != p.inputDim()) {
        return new Outcome(null, "modality " + p.modality() + " has " + x.length + " values, the version expects "
            + p.inputDim());
      }
      for (float v : x) {
        if (!Float.isFinite(v)) {
          return new Outcome(null, "modality " + p.modality() + " has a non-finite value");
        }
      }
      p.apply(x, content, offset);
      offset += p.outputDim();
    }
    if (!normalise(content)) {
      return new Outcome(null, "its content vector is zero");
    }
    Hits nearest = nearestByContent(items, content);
    double total = 0;
    for (float s : nearest.scores()) {
      total += Math.max(0, s);
    }
    if (total <= 0) {
      return new Outcome(null, "no trained item has a positive content similarity");
    }
    int dim = items.dim();
    float[] c = new float[dim];
    float[] s = items.hasSemantic() ? new float[dim] : null;
    for (int n = 0; n < nearest.size(); n++) {
      double w = Math.max(0, nearest.scores()[n]) / total;
      if (w == 0) {
        continue;
      }
      int row = nearest.rows()[n];
      float[] cr = items.collaborative() != null ? items.collaborative() : items.vectors();
      for (int i = 0; i < dim; i++) {
        c[i] += (float) (w * cr[row * dim + i]);
        if (s != null) {
          s[i] += (float) (w * items.semantic()[row * dim + i]);
        }
      }
    }
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = c[i] + (s == null ? 0 : s[i]);
    }
    return new Outcome(new Placement(v, c, s, nearest.size()), null);
  }

  /** An exact cosine scan over the trained items' unit content vectors (one per new item: cheap). */
  private Hits nearestByContent(EmbeddingTable items, float[] unit) {
    int cd = items.contentDim();
    float[] content = items.content();
    TopKHeap heap = new TopKHeap(Math.min(neighbours, items.size()));
    for (int r = 0; r < items.size(); r++) {
      float sum = 0;
      int o = r * cd;
      for (int j = 0; j < cd; j++) {
        sum += content[o + j] * unit[j];
      }
      if (sum > heap.threshold()) {
        heap.offer(r, sum);
      }
    }
    return heap.drain();
  }

  /** Scales to unit length in place; false for a zero vector. */
  public static boolean normalise(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    if (s == 0 || !Double.isFinite(s)) {
      return false;
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return true;
  }
}
