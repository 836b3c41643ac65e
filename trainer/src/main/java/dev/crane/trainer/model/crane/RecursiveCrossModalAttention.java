package dev.crane.trainer.model.crane;

import dev.crane.trainer.engine.Scalars;
import dev.crane.trainer.engine.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.StepProfiler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Recursive cross-modal attention at feature level (paper Eq. 7-13, §3 choices), t rounds with
 * their own weights. Per round, with M modalities of width d:
 * J = [X_1 ∥ ... ∥ X_M] (N x Md); J~ = ReLU(J W_J + b_J) (Md x Md);
 * per m: Ĵ_m = J~ W_m (Md x d); C_m = tanh(norm(X_m)^T norm(Ĵ_m) / N) (d x d, linear in N);
 * H_m = ReLU(X_m W^x_m + X_m C_m W^c_m / d); X_m <- X_m + H_m W^h_m.
 * Output E^mm = [X_1 ∥ ... ∥ X_M].
 *
 * <p>Deviation from the spec's C_m = tanh(X_m^T Ĵ_m / √N) (itself "ours" in §3): rows are
 * L2-normalised and the sum divided by N, so C's entries are mean cosine-like products in [-1, 1],
 * and X C is divided by d. Reason, measured by the gradient test: user rows are sums over the
 * user's items (Eq. 5), tanh saturated already in round 0 (pre-activations up to 12), X grew about
 * 10x per round through the residual (|X| 9 -> 80 -> 1000) and no gradient reached the last
 * round's weights.
 */
public final class RecursiveCrossModalAttention {
  private final int rounds;
  private final int modalities;
  private final List<NDArray[]> joint = new ArrayList<>(); // per round {W_J, b_J}
  private final List<NDArray[][]> perModality = new ArrayList<>(); // per round, per m {W_m, W^x, W^c, W^h}

  public RecursiveCrossModalAttention(int modalities, int dim, int rounds, Parameters params, SplittableRandom rng) {
    this.rounds = rounds;
    this.modalities = modalities;
    int md = modalities * dim;
    for (int r = 0; r < rounds; r++) {
      String p = "rca" + r + ".";
      joint.add(new NDArray[] {
        params.add(p + "W_J", Init.xavierUniform(rng, md, md), new Shape(md, md)),
        params.add(p + "b_J", new float[md], new Shape(md))});
      NDArray[][] pm = new NDArray[modalities][];
      for (int m = 0; m < modalities; m++) {
        String q = p + "m" + m + ".";
        pm[m] = new NDArray[] {
          params.add(q + "W_proj", Init.xavierUniform(rng, md, dim), new Shape(md, dim)),
          params.add(q + "W_x", Init.xavierUniform(rng, dim, dim), new Shape(dim, dim)),
          params.add(q + "W_c", Init.xavierUniform(rng, dim, dim), new Shape(dim, dim)),
          params.add(q + "W_h", Init.xavierUniform(rng, dim, dim), new Shape(dim, dim))};
      }
      perModality.add(pm);
    }
  }

  /** E^mm for all N rows. */
  public NDArray apply(List<NDArray> xs) {
    return apply(xs, 0);
  }

  /**
   * E^mm rows {@code firstRow..N-1}. Every round's correlation C_m still sums over all N rows, but the
   * last round updates only the rows asked for: paper mode uses only the item rows afterwards (Eq. 13),
   * and the users' last update (3/4 of the rows at Electronics size) would be computed to be discarded.
   */
  public NDArray apply(List<NDArray> xs, long firstRow) {
    return apply(xs, firstRow, null);
  }

  /** As {@link #apply(List, long)}, booking each round to a profiler as rca_round&lt;r&gt; (may be null). */
  public NDArray apply(List<NDArray> xs, long firstRow, StepProfiler profiler) {
    if (xs.size() != modalities) {
      throw new IllegalArgumentException("expected " + modalities + " modalities, got " + xs.size());
    }
    List<NDArray> x = new ArrayList<>(xs);
    float scale = 1f / x.get(0).getShape().get(0);
    float invDim = 1f / x.get(0).getShape().get(1);
    for (int r = 0; r < rounds; r++) {
      NDArray jt = Activation.relu(Tensors.linear(concat(x), joint.get(r)[0], joint.get(r)[1]));
      List<NDArray> next = new ArrayList<>();
      for (int m = 0; m < modalities; m++) {
        NDArray[] w = perModality.get(r)[m];
        NDArray xm = x.get(m);
        NDArray jm = jt.matMul(w[0]);
        // norm(X)^T norm(Ĵ) as X^T (Ĵ / (|x_n| |ĵ_n|)): one N x d scaling instead of two, a product with the
        // N x 1 reciprocal (no N x d division forward or backward), and X (not the scaled side) is the
        // transposed operand, so the one column-major gradient lands on a plain sum instead of on
        // broadcast arithmetic (3x slower on strided rows)
        NDArray inv = Scalars.inverseRowNorms(xm).mul(Scalars.inverseRowNorms(jm));
        NDArray c = Scalars.mul(xm.transpose().matMul(jm.mul(inv)), scale).tanh();
        // X W^x + (X C / d) W^c = X (W^x + C W^c / d): the d x d product replaces two N x d x d ones
        NDArray k = w[1].add(Scalars.mul(c.matMul(w[2]), invDim));
        NDArray rows = r == rounds - 1 && firstRow > 0 ? xm.get(firstRow + ":") : xm;
        NDArray h = Activation.relu(rows.matMul(k));
        // X + H W^h as one product-and-add (addmm with X as the added term): no N x d sum of its own
        next.add(Tensors.linear(h, w[3], rows));
      }
      x = next;
      if (r < rounds - 1) {
        StepProfiler.lap(profiler, "rca_round" + r);
      }
    }
    NDArray out = concat(x);
    StepProfiler.lap(profiler, "rca_round" + (rounds - 1));
    return out;
  }

  static NDArray concat(List<NDArray> x) {
    return x.size() == 1 ? x.get(0) : ai.djl.ndarray.NDArrays.concat(new NDList(x), 1);
  }
}
