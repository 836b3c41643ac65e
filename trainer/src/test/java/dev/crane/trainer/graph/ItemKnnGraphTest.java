package dev.crane.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.crane.ingest.dataset.FeatureMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemKnnGraphTest {
  // angles 0, 10, 80, 90, 185 degrees (norms differ: cosine must ignore them)
  static final FeatureMatrix V = new FeatureMatrix("v", 5, 2, new float[] {
    1, 0, 3 * (float) Math.cos(Math.toRadians(10)), 3 * (float) Math.sin(Math.toRadians(10)),
    (float) Math.cos(Math.toRadians(80)), (float) Math.sin(Math.toRadians(80)), 0, 2,
    -(float) Math.cos(Math.toRadians(5)), -(float) Math.sin(Math.toRadians(5))});
  // text modality: items 0 and 4 are close, the others spread out
  static final FeatureMatrix T = new FeatureMatrix("t", 5, 1, new float[] {1, 1, -1, -1, 1});

  @Test
  void topKRowsByCosineIncludeTheItemItself() {
    try (NDManager m = NDManager.newBaseManager()) {
      long[] nb = ItemKnnGraph.topK(m, V, 2);
      // item 4 (185 deg) is closest to item 3 (95 deg apart; items 0 and 1 are 175-185 apart)
      assertThat(nb).containsExactly(0, 1, 1, 0, 2, 3, 3, 2, 4, 3);
    }
  }

  @Test
  void mixedGraphHasUnweightedEntriesAndUnitRowSums() {
    try (NDManager m = NDManager.newBaseManager()) {
      SparseMatrix s = ItemKnnGraph.mixed(m, List.of(V, T), 2, 0.1f);
      assertThat(s.nnz()).isEqualTo(2 * 5 * 2);
      float[] d = s.toDense();
      for (int i = 0; i < 5; i++) {
        float sum = 0;
        for (int j = 0; j < 5; j++) {
          sum += d[i * 5 + j];
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
      }
      // row 0: visual neighbours {0, 1} at 0.1/2 each; its text neighbours are two of the tied {0, 1, 4}
      assertThat(d[0 * 5 + 2] + d[0 * 5 + 3]).isZero();
      // row 3: visual {3, 2}, text: two of the tied {2, 3} -> both 0.05 + 0.45
      assertThat(d[3 * 5 + 3]).isCloseTo(0.5f, within(1e-5f));
      assertThat(d[3 * 5 + 2]).isCloseTo(0.5f, within(1e-5f));
    }
  }
}
