package dev.crane.trainer.graph;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Degree-sensitive edge pruning (paper Eq. 2, crane-spec.md §2.3): keep m = floor(|E| (1 - ρ))
 * distinct edges drawn without replacement with probability proportional to w_e, via the
 * exponential-keys form of successive weighted sampling: key_e = w_e / x_e with x_e ~ Exp(1), keep
 * the m largest keys. Edges between high-degree nodes have small w_e and are dropped most often.
 */
public final class EdgePruner {
  private final double[] weights;
  private final int keep;

  /**
   * @param weights w_e per edge, all positive
   * @param dropRatio ρ in [0, 1): the fraction of edges removed
   */
  public EdgePruner(double[] weights, double dropRatio) {
    if (!(dropRatio >= 0 && dropRatio < 1)) {
      throw new IllegalArgumentException("edge drop ratio must be in [0, 1), got " + dropRatio);
    }
    this.weights = weights.clone();
    this.keep = (int) Math.floor(weights.length * (1.0 - dropRatio));
  }

  public int keepCount() {
    return keep;
  }

  /** Indices of the kept edges, ascending; exactly keepCount() of them. */
  public int[] sample(SplittableRandom rng) {
    int n = weights.length;
    if (keep == n) {
      int[] all = new int[n];
      Arrays.setAll(all, i -> i);
      return all;
    }
    // log-keys avoid underflow: log(w/x) = log w - log x, x = -ln(1 - U)
    double[] keys = new double[n];
    for (int e = 0; e < n; e++) {
      double x = -Math.log1p(-rng.nextDouble());
      keys[e] = Math.log(weights[e]) - Math.log(x);
    }
    double[] sorted = keys.clone();
    Arrays.sort(sorted);
    double threshold = sorted[n - keep];
    int above = 0;
    for (double k : keys) {
      above += k > threshold ? 1 : 0;
    }
    int tiesToTake = keep - above;
    int[] out = new int[keep];
    int j = 0;
    for (int e = 0; e < n; e++) {
      if (keys[e] > threshold || (keys[e] == threshold && tiesToTake-- > 0)) {
        out[j++] = e;
      }
    }
    return out;
  }
}
