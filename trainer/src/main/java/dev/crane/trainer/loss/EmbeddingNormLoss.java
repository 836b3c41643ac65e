package dev.crane.trainer.loss;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * MMRec's EmbLoss: the sum of the Frobenius norms (not squared) of the given batch embeddings,
 * divided by the batch size. Regulariser of BPR-MF and LightGCN.
 */
public final class EmbeddingNormLoss {
  private EmbeddingNormLoss() {}

  public static NDArray of(NDArray... embeddings) {
    NDArray total = null;
    for (NDArray e : embeddings) {
      NDArray n = e.square().sum().sqrt();
      total = total == null ? n : total.add(n);
    }
    return Scalars.div(total, embeddings[embeddings.length - 1].getShape().get(0));
  }
}
