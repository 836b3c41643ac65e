package dev.crane.trainer.loss;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The paper-mode regulariser (Eq. 20, §3 choice, MMRec LATTICE/MGCN convention):
 * ½ (‖u*‖² + ‖p*‖² + ‖n*‖²) summed over the batch and divided by B.
 */
public final class EmbeddingL2 {
  private EmbeddingL2() {}

  public static NDArray of(NDArray u, NDArray p, NDArray n) {
    long b = u.getShape().get(0);
    return Scalars.mul(u.square().sum().add(p.square().sum()).add(n.square().sum()), 0.5f / b);
  }
}
