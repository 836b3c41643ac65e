package dev.crane.trainer.model.crane;

import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Tape;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.graph.SparseMatrix;
import dev.crane.trainer.graph.SparseRows;

/**
 * Paper Eq. 16 (§3 choice): a user's semantic embedding is the mean of the semantic embeddings of
 * its training items, R_norm e^sem with R_norm = D_u^-1 R (sum optional), so it stays on the item
 * scale.
 */
public final class SemanticUserProfile {
  private final TrainingData data;
  private final boolean sum;
  private final NDManager manager;
  private final SparseRows rNorm;

  public SemanticUserProfile(TrainingData data, boolean sum, NDManager manager) {
    this.data = data;
    this.sum = sum;
    this.manager = manager;
    this.rNorm = SparseRows.of(SparseMatrix.trainingInteractions(data, !sum), manager);
  }

  /** Every user's row, U x d (evaluation). */
  public NDArray of(NDArray itemSemantic) {
    return rNorm.times(itemSemantic);
  }

  /**
   * The rows of the given users only, in their order (a training step needs its batch's users): the
   * product then reads those users' edges instead of all of them, forward and backward.
   */
  public NDArray of(long[] users, NDArray itemSemantic) {
    return of(users, itemSemantic, null);
  }

  /**
   * As {@link #of(long[], NDArray)}, the gradient written out on {@code tape} when recording (SparseRows.times(NDArray,
   * Tape)); the batch's matrix then lives until the step's scope ends.
   */
  public NDArray of(long[] users, NDArray itemSemantic, Tape tape) {
    int nnz = 0;
    for (long u : users) {
      nnz += data.trainItems((int) u).length;
    }
    long[] start = new long[users.length];
    long[] c = new long[nnz];
    float[] v = new float[nnz];
    int k = 0;
    for (int row = 0; row < users.length; row++) {
      int[] items = data.trainItems((int) users[row]);
      float w = sum ? 1f : 1f / items.length;
      start[row] = k;
      for (int item : items) {
        c[k] = item;
        v[k++] = w;
      }
    }
    if (tape != null && Autograd.recording()) {
      return SparseRows.withTranspose(users.length, data.numItems(), c, start, v, manager).times(itemSemantic, tape);
    }
    try (SparseRows batch = SparseRows.of(users.length, data.numItems(), c, start, v, manager)) {
      return batch.times(itemSemantic);
    }
  }
}
