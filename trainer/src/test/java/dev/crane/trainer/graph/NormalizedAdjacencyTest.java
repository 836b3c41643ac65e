package dev.crane.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NormalizedAdjacencyTest {
  @Test
  void symmetricDegreeNormalisedNoSelfLoops() {
    // users 0,1; items 0,1,2; edges (0,0) (0,1) (1,1): d_u = 2,1; d_i = 1,2,0
    SparseMatrix a = NormalizedAdjacency.of(2, 3, new int[] {0, 0, 1}, new int[] {0, 1, 1});
    float[] d = a.toDense();
    int n = 5;
    assertThat(a.nnz()).isEqualTo(6);
    assertThat(d[0 * n + 2]).isCloseTo((float) (1 / Math.sqrt(2 * 1)), within(1e-6f));
    assertThat(d[0 * n + 3]).isCloseTo(0.5f, within(1e-6f));
    assertThat(d[1 * n + 3]).isCloseTo((float) (1 / Math.sqrt(2)), within(1e-6f));
    for (int r = 0; r < n; r++) {
      assertThat(d[r * n + r]).isZero();
      for (int c = 0; c < n; c++) {
        assertThat(d[r * n + c]).isEqualTo(d[c * n + r]);
      }
    }
    assertThat(d[4 * n + 0] + d[4 * n + 1]).isZero(); // item 2 has no edge
  }
}
