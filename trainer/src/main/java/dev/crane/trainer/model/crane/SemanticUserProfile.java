package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.graph.SparseMatrix;

/**
 * Paper Eq. 16 (§3 choice): a user's semantic embedding is the mean of the semantic embeddings of
 * its training items, R_norm e^sem with R_norm = D_u^-1 R (sum optional), so it stays on the item
 * scale.
 */
public final class SemanticUserProfile {
  private final NDArray rNorm;

  public SemanticUserProfile(TrainingData data, boolean sum, NDManager manager) {
    this.rNorm = SparseMatrix.trainingInteractions(data, !sum).toNDArray(manager);
  }

  public NDArray of(NDArray itemSemantic) {
    return rNorm.matMul(itemSemantic);
  }
}
