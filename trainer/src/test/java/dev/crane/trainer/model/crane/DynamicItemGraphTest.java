package dev.crane.trainer.model.crane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * Eq. 14-15 as the class documents them, recomputed literally: each item's k nearest items by cosine
 * of the fused features (itself included), weights = the retained cosines clipped at 0 and
 * normalised per row, output = the weighted sum of the neighbours' rows of h.
 */
class DynamicItemGraphTest {
  @Test
  void propagatesOverTheCosineNeighboursWithRowNormalisedWeights() {
    float[][] fused = {{1, 0}, {1, 1}, {0.1f, 1}, {-1, 0.2f}}; // no ties; item 3 has a negative cosine among its 3
    float[][] h = {{1, 2}, {3, -1}, {0, 5}, {7, 7}};
    int n = fused.length;
    int k = 3;
    try (NDManager m = NDManager.newBaseManager()) {
      DynamicItemGraph g = new DynamicItemGraph(k, m);
      NDArray f = m.create(flat(fused), new Shape(n, 2));
      g.refresh(f);
      float[] out = g.propagate(f, m.create(flat(h), new Shape(n, 2))).toFloatArray();
      long[] nb = g.neighbourIndices();
      for (int i = 0; i < n; i++) {
        // the literal top-k by cosine, self included (cosine 1)
        Integer[] order = {0, 1, 2, 3};
        final int row = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(cos(fused[row], fused[b]), cos(fused[row], fused[a])));
        double[] w = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
          assertThat(nb[i * k + j]).as("neighbour %d of %d", j, i).isEqualTo(order[j].longValue());
          w[j] = Math.max(0, cos(fused[i], fused[order[j]]));
          sum += w[j];
        }
        for (int c = 0; c < 2; c++) {
          double expected = 0;
          for (int j = 0; j < k; j++) {
            expected += w[j] / (sum + 1e-8) * h[order[j]][c];
          }
          assertThat((double) out[i * 2 + c]).as("row %d col %d", i, c).isCloseTo(expected, within(1e-5));
        }
      }
    }
  }

  private static double cos(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int j = 0; j < a.length; j++) {
      dot += a[j] * b[j];
      na += a[j] * a[j];
      nb += b[j] * b[j];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static float[] flat(float[][] rows) {
    float[] f = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, f, r * rows[r].length, rows[r].length);
    }
    return f;
  }
}
