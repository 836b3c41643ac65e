package dev.crane.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
}
