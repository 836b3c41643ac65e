package dev.crane.trainer.graph;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Small tensor helpers shared by models. */
public final class NDArrays {
  private NDArrays() {}

  /** Elementwise mean of equally shaped arrays. */
  public static NDArray mean(NDList arrays) {
    NDArray sum = arrays.get(0);
    for (int k = 1; k < arrays.size(); k++) {
      sum = sum.add(arrays.get(k));
    }
    return Scalars.div(sum, arrays.size());
  }
}
