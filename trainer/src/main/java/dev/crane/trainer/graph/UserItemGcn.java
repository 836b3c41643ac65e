package dev.crane.trainer.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.function.UnaryOperator;

/**
 * LightGCN propagation on the user-item graph (paper Eq. 3-4 as the code computes them, §2.4 step
 * 4): E^0 = [E_U; E_I], E^{l+1} = G E^l, output the mean of layers 0..L. No weight matrix, no
 * nonlinearity.
 */
public final class UserItemGcn {
  private final int layers;

  public UserItemGcn(int layers) {
    if (layers < 0) {
      throw new IllegalArgumentException("layers must be >= 0");
    }
    this.layers = layers;
  }

  /** @return the N x d layer mean, users first */
  public NDArray propagate(NDArray adjacency, NDArray users, NDArray items) {
    return propagate(adjacency::matMul, users, items);
  }

  /** As {@link #propagate(NDArray, NDArray, NDArray)} with the product G E given as a function. */
  public NDArray propagate(UnaryOperator<NDArray> adjacency, NDArray users, NDArray items) {
    NDArray e = users.concat(items, 0);
    NDList all = new NDList(e);
    for (int l = 0; l < layers; l++) {
      e = adjacency.apply(e);
      all.add(e);
    }
    return layers == 0 ? e : NDArrays.mean(all);
  }

  public int layers() {
    return layers;
  }
}
