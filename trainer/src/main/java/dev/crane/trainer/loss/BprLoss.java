package dev.crane.trainer.loss;

import dev.crane.trainer.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Bayesian personalised ranking over (user, positive, negative) triples (paper Eq. 18). */
public final class BprLoss {
  private BprLoss() {}

  /** Row-wise inner products <a_b, b_b>. */
  public static NDArray scores(NDArray a, NDArray b) {
    return a.mul(b).sum(new int[] {1});
  }

  /** -mean log σ(pos - neg), the form of FREEDOM and the CRANE code (§2.5). */
  public static NDArray logSigmoid(NDArray pos, NDArray neg) {
    // log σ(x) = -softplus(-x), stable for large |x|
    return Activation.softPlus(neg.sub(pos)).mean();
  }

  /** -mean log(1e-10 + σ(pos - neg)), MMRec's BPRLoss used by BPR-MF and LightGCN. */
  public static NDArray withGamma(NDArray pos, NDArray neg) {
    return Scalars.add(Activation.sigmoid(pos.sub(neg)), 1e-10f).log().mean().neg();
  }
}
