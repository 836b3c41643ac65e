package dev.crane.trainer.loss;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * InfoNCE between two views of the same nodes (paper Eq. 19, §3 choice): rows are L2-normalised,
 * logits are cosines / τ, row b's positive is column b and the other nodes of the batch are its
 * negatives; the loss is the mean over rows of -log softmax at the diagonal.
 */
public final class InfoNce {
  private InfoNce() {}

  public static NDArray of(NDArray view1, NDArray view2, float tau) {
    NDArray a = Scalars.unitRows(view1);
    NDArray b = Scalars.unitRows(view2);
    NDArray logits = Scalars.div(a.matMul(b.transpose()), tau);
    long n = logits.getShape().get(0);
    NDArray eye = logits.getManager().eye((int) n);
    return logits.logSoftmax(1).mul(eye).sum(new int[] {1}).mean().neg();
  }

  /** Rows of {@code table} at the given distinct ids. */
  public static NDArray rows(NDArray table, NDArray ids) {
    return table.get(new NDIndex("{}", ids));
  }
}
