package dev.crane.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.crane.trainer.engine.Tape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UserItemGcnTest {
  @Test
  void twoLayerMeanOnAHandComputedGraph() {
    // user 0 - item 0, user 0 - item 1, user 1 - item 1; 1-d embeddings u = (1, 2), i = (3, 4)
    SparseMatrix a = NormalizedAdjacency.of(2, 2, new int[] {0, 0, 1}, new int[] {0, 1, 1});
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray out = new UserItemGcn(2).propagate(a.toNDArray(m),
          m.create(new float[] {1, 2}, new Shape(2, 1)), m.create(new float[] {3, 4}, new Shape(2, 1)));
      // Â: a(u0,i0) = 1/sqrt(2*1), a(u0,i1) = 1/sqrt(2*2) = 0.5, a(u1,i1) = 1/sqrt(1*2)
      double s = 1 / Math.sqrt(2);
      double[] e0 = {1, 2, 3, 4};
      double[] e1 = {s * 3 + 0.5 * 4, s * 4, s * 1, 0.5 * 1 + s * 2};
      double[] e2 = {s * e1[2] + 0.5 * e1[3], s * e1[3], s * e1[0], 0.5 * e1[0] + s * e1[1]};
      float[] got = out.toFloatArray();
      for (int k = 0; k < 4; k++) {
        assertThat(got[k]).isCloseTo((float) ((e0[k] + e1[k] + e2[k]) / 3), within(1e-5f));
      }
    }
  }

  /**
   * The written-out backward (the layer mean a leaf, the tape's entry running Gᵀ as forward bags) gives the tables
   * autograd's gradient, on a non-symmetric product too (Gᵀ is not G).
   */
  @Test
  void theWrittenOutGradientEqualsAutogradsIntoBothTables() {
    SplittableRandom rng = new SplittableRandom(3);
    int users = 5;
    int items = 4;
    int n = users + items;
    int nnz = 30;
    long[] r = new long[nnz];
    long[] c = new long[nnz];
    float[] v = new float[nnz];
    for (int k = 0; k < nnz; k++) {
      r[k] = rng.nextInt(n);
      c[k] = rng.nextInt(n);
      v[k] = (float) rng.nextDouble(-1, 1);
    }
    float[] u = random(rng, users * 3);
    float[] i = random(rng, items * 3);
    float[] upstream = random(rng, n * 3);
    try (NDManager m = NDManager.newBaseManager();
        SparseRows g = SparseRows.withTranspose(new SparseMatrix(n, n, r, c, v), m)) {
      float[][] viaTape = gradients(m, g, u, i, upstream, true);
      float[][] viaAutograd = gradients(m, g, u, i, upstream, false);
      for (int t = 0; t < 3; t++) {
        assertThat(viaTape[t]).hasSameSizeAs(viaAutograd[t]);
        for (int k = 0; k < viaTape[t].length; k++) {
          assertThat(viaTape[t][k]).as("array %d [%d]", t, k).isCloseTo(viaAutograd[t][k], within(1e-5f));
        }
      }
      assertThat(Math.abs(viaTape[1][0]) + Math.abs(viaTape[2][0])).isGreaterThan(1e-4f);
    }
  }

  /** {output, dUsers, dItems} of a two-layer propagation under upstream · output. */
  private static float[][] gradients(NDManager m, SparseRows g, float[] u, float[] i, float[] upstream, boolean tape) {
    NDArray users = m.create(u, new Shape(u.length / 3, 3));
    NDArray items = m.create(i, new Shape(i.length / 3, 3));
    users.setRequiresGradient(true);
    items.setRequiresGradient(true);
    float[] out;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      Tape t = new Tape();
      NDArray all = tape ? new UserItemGcn(2).propagate(g, users, items, t)
          : new UserItemGcn(2).propagate(g::times, users, items);
      out = all.toFloatArray();
      gc.backward(all.mul(m.create(upstream, all.getShape())).sum());
      t.run();
    }
    return new float[][] {out, users.getGradient().toFloatArray(), items.getGradient().toFloatArray()};
  }

  private static float[] random(SplittableRandom rng, int size) {
    float[] a = new float[size];
    for (int k = 0; k < size; k++) {
      a[k] = (float) rng.nextDouble(-1, 1);
    }
    return a;
  }
}
