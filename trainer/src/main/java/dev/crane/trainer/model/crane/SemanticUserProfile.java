package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.graph.SparseMatrix;

/**
 * Paper Eq. 16 (§3 choice): a user's semantic embedding is the mean of the semantic embeddings of
 * its training items, R_norm e^sem with R_norm = D_u^-1 R (sum optional), so it stays on the item
 * scale.
 */
public final class SemanticUserProfile {
  private final TrainingData data;
  private final boolean sum;
  private final NDManager manager;
  private final NDArray rNorm;

  public SemanticUserProfile(TrainingData data, boolean sum, NDManager manager) {
    this.data = data;
    this.sum = sum;
    this.manager = manager;
    this.rNorm = SparseMatrix.trainingInteractions(data, !sum).toNDArray(manager);
  }

  /** Every user's row, U x d (evaluation). */
  public NDArray of(NDArray itemSemantic) {
    return rNorm.matMul(itemSemantic);
  }

  /**
   * The rows of the given users only, in their order (a training step needs its batch's users): the
   * sparse product then walks those users' edges instead of all of them, forward and backward.
   */
  public NDArray of(long[] users, NDArray itemSemantic) {
    int nnz = 0;
    for (long u : users) {
      nnz += data.trainItems((int) u).length;
    }
    long[] r = new long[nnz];
    long[] c = new long[nnz];
    float[] v = new float[nnz];
    int k = 0;
    for (int row = 0; row < users.length; row++) {
      int[] items = data.trainItems((int) users[row]);
      float w = sum ? 1f : 1f / items.length;
      for (int item : items) {
        r[k] = row;
        c[k] = item;
        v[k++] = w;
      }
    }
    return Tensors.coo(manager, r, c, v, new Shape(users.length, data.numItems())).matMul(itemSemantic);
  }
}
