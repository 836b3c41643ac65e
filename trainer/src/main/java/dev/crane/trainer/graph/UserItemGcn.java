package dev.crane.trainer.graph;

import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.Scalars;
import dev.crane.trainer.engine.Tape;
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

  /**
   * As {@link #propagate(UnaryOperator, NDArray, NDArray)} over {@code adjacency} with the gradient written out:
   * in a recorded pass the layers are computed without autograd, the layer mean is a leaf, and {@code tape}'s
   * entry runs the backward itself, dE_L = g and dE_l = g + Gᵀ dE_{l+1} with g = d(mean) / (L + 1), each Gᵀ a
   * forward bag over the transpose (the matrix must be built SparseRows.withTranspose), then dE_0 into the two
   * tables.
   */
  public NDArray propagate(SparseRows adjacency, NDArray users, NDArray items, Tape tape) {
    if (tape == null || !Autograd.recording()) {
      return propagate(adjacency::times, users, items);
    }
    SparseRows transposed = adjacency.transposed(); // refused here, in the forward pass, when it is missing
    NDArray[] mean = new NDArray[1];
    Autograd.noGrad(() -> mean[0] = propagate(adjacency::times, users, items));
    mean[0].setRequiresGradient(true);
    long u = users.getShape().get(0);
    tape.add(() -> {
      NDArray g = Scalars.div(mean[0].getGradient(), layers + 1f);
      NDArray d = g;
      for (int l = layers; l >= 1; l--) {
        d = g.add(transposed.times(d));
      }
      Tape.send(users, d.get(":" + u));
      Tape.send(items, d.get(u + ":"));
    });
    return mean[0];
  }

  public int layers() {
    return layers;
  }
}
