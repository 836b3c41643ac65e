package dev.crane.trainer.model.crane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import dev.crane.trainer.engine.Tape;
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
      float[] out = g.propagate(f, m.create(flat(h), new Shape(n, 2)), new Tape()).toFloatArray();
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

  /**
   * The written-out gradients (propagate, the loss's backward, then the tape) equal autograd's through the literal
   * tensor formulation, for the fused features and for h, which is a row slice of a leaf as CRANE's GCN rows are.
   */
  @Test
  void theWrittenOutGradientEqualsAutogradsThroughTheLiteralFormula() {
    int n = 30;
    int k = 5;
    SplittableRandom rng = new SplittableRandom(17);
    float[] fused = random(rng, n * 6);
    float[] h = random(rng, n * 4);
    float[] upstream = random(rng, n * 4);
    try (NDManager m = NDManager.newBaseManager()) {
      DynamicItemGraph g = new DynamicItemGraph(k, m);
      g.refresh(m.create(fused, new Shape(n, 6)));
      long[] nb = g.neighbourIndices();

      NDArray f1 = leaf(m, fused, n, 6);
      float[] padded = new float[3 * 4 + h.length]; // three rows before h's, as the user rows precede the items'
      System.arraycopy(h, 0, padded, 3 * 4, h.length);
      NDArray table = leaf(m, padded, n + 3, 4);
      float[] out1;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Tape tape = new Tape();
        NDArray h1 = table.get("3:");
        NDArray out = g.propagate(f1, h1, tape);
        out1 = out.toFloatArray();
        // h also reaches the loss directly, so the main backward runs through the slice first
        gc.backward(out.mul(m.create(upstream, new Shape(n, 4))).sum().add(h1.sum()));
        tape.run();
      }

      NDArray f2 = leaf(m, fused, n, 6);
      NDArray h2 = leaf(m, h, n, 4);
      float[] out2;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray unit = f2.div(f2.norm(new int[] {1}, true));
        NDArray idx = m.create(nb);
        NDArray cos = unit.get(new NDIndex("{}", idx)).reshape(n, k, 6).mul(unit.expandDims(1)).sum(new int[] {2});
        NDArray w = Activation.relu(cos);
        w = w.div(w.sum(new int[] {1}, true).add(1e-8f));
        NDArray out = h2.get(new NDIndex("{}", idx)).reshape(n, k, 4).mul(w.expandDims(2)).sum(new int[] {1});
        out2 = out.toFloatArray();
        gc.backward(out.mul(m.create(upstream, new Shape(n, 4))).sum().add(h2.sum()));
      }
      assertClose(out1, out2, "output");
      assertClose(f1.getGradient().toFloatArray(), f2.getGradient().toFloatArray(), "gradient of the fused rows");
      float[] viaTable = table.getGradient().toFloatArray();
      assertClose(java.util.Arrays.copyOfRange(viaTable, 3 * 4, viaTable.length), h2.getGradient().toFloatArray(),
          "gradient of h");
      for (int j = 0; j < 3 * 4; j++) {
        assertThat(viaTable[j]).as("the rows before h's get none").isZero();
      }
      assertThat(f1.getGradient().abs().sum().getFloat()).as("a gradient reached the fused rows").isGreaterThan(0.01f);
    }
  }

  private static NDArray leaf(NDManager m, float[] values, int rows, int cols) {
    NDArray a = m.create(values, new Shape(rows, cols));
    a.setRequiresGradient(true);
    return a;
  }

  private static void assertClose(float[] got, float[] want, String what) {
    assertThat(got).hasSameSizeAs(want);
    for (int j = 0; j < got.length; j++) {
      assertThat((double) got[j]).as("%s [%d]", what, j).isCloseTo(want[j], within(1e-5));
    }
  }

  private static float[] random(SplittableRandom rng, int size) {
    float[] a = new float[size];
    for (int j = 0; j < size; j++) {
      a[j] = (float) rng.nextDouble(-1, 1);
    }
    return a;
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
