package dev.crane.trainer.graph;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Tensors;
import java.util.List;

/**
 * FREEDOM's frozen item-item graph (crane-spec.md §2.2c): per modality, cosine top-k neighbours of
 * every item (itself normally included), each kept entry 1/(k + 1e-7) because the "symmetric"
 * normalisation uses the row sum k at both ends; modalities mixed with weights w_m, duplicate
 * entries adding up. Rows are scored in blocks so no dense I x I matrix is ever held (§7.5 item 4).
 */
public final class ItemKnnGraph {
  static final int BLOCK = 2048;

  private ItemKnnGraph() {}

  /** Neighbour indices, I x k row-major, by cosine over the rows of {@code features}. */
  public static long[] topK(NDManager manager, FeatureMatrix features, int k) {
    int n = features.rows();
    int kk = Math.min(k, n);
    long[] out = new long[Math.multiplyExact(n, kk)];
    Autograd.noGrad(() -> {
      try (NDScope scope = new NDScope()) {
        NDArray x = Tensors.owned(manager, features.data(), new Shape(n, features.dim()));
        // rows of norm 0 stay zero instead of MMRec's NaN
        NDArray unit = Scalars.unitRows(x);
        NDArray t = unit.transpose();
        for (int from = 0; from < n; from += BLOCK) {
          int to = Math.min(n, from + BLOCK);
          try (NDScope inner = new NDScope()) {
            NDArray sim = unit.get(from + ":" + to).matMul(t);
            long[] idx = sim.topK(kk, 1, true, true).get(1).toLongArray();
            System.arraycopy(idx, 0, out, from * kk, idx.length);
          }
        }
      }
    });
    return out;
  }

  /**
   * S = Σ_m w_m A_m / k over the modalities (weights sum to 1): the first modality gets
   * {@code firstWeight} (MMRec's mm_image_weight), the others share the rest equally.
   */
  public static SparseMatrix mixed(NDManager manager, List<FeatureMatrix> modalities, int k, float firstWeight) {
    int n = modalities.get(0).rows();
    int mCount = modalities.size();
    int kk = Math.min(k, n);
    long[] rows = new long[mCount * n * kk];
    long[] cols = new long[rows.length];
    float[] vals = new float[rows.length];
    int p = 0;
    for (int m = 0; m < mCount; m++) {
      double w = mCount == 1 ? 1.0 : (m == 0 ? firstWeight : (1.0 - firstWeight) / (mCount - 1));
      float v = (float) (w / (kk + 1e-7));
      long[] nb = topK(manager, modalities.get(m), kk);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < kk; j++) {
          rows[p] = i;
          cols[p] = nb[i * kk + j];
          vals[p] = v;
          p++;
        }
      }
    }
    return new SparseMatrix(n, n, rows, cols, vals);
  }
}
