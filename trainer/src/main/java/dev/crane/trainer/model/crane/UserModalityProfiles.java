package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.model.Init;
import dev.crane.trainer.model.Parameters;
import java.util.SplittableRandom;

/**
 * One modality's projected user and item rows (paper Eq. 5-6, §3 choice). Raw item features are
 * frozen, so the per-user sums of raw features (the stream processor's profiles) are constants;
 * projecting after summing gives Σ_i (F_i A^T + a) = (Σ_i F_i) A^T + d_u a, so users cost U x d_m
 * once instead of per step. X_m = [users; items] is N x d.
 */
public final class UserModalityProfiles {
  private final NDArray itemFeatures;
  private final NDArray userSums;
  private final NDArray userDegrees;
  private final NDArray weight;
  private final NDArray bias;

  public UserModalityProfiles(TrainingData data, int modality, int dim, Parameters params, NDManager manager,
      SplittableRandom rng) {
    FeatureMatrix f = data.features().get(modality);
    this.itemFeatures = Tensors.owned(manager, f.data(), new Shape(f.rows(), f.dim()));
    this.userSums = Tensors.owned(manager, data.userFeatureSums(modality), new Shape(data.numUsers(), f.dim()));
    float[] deg = new float[data.numUsers()];
    for (int u = 0; u < deg.length; u++) {
      deg[u] = data.userDegree()[u];
    }
    this.userDegrees = Tensors.owned(manager, deg, new Shape(deg.length, 1));
    double bound = 1 / Math.sqrt(f.dim()); // torch.nn.Linear default
    this.weight = params.add(f.modality() + "_proj.weight", Init.uniform(rng, dim * f.dim(), bound), new Shape(dim, f.dim()));
    this.bias = params.add(f.modality() + "_proj.bias", Init.uniform(rng, dim, bound), new Shape(dim));
  }

  /** X_m, N x d, users first. */
  public NDArray stacked() {
    NDArray wt = weight.transpose();
    NDArray users = userSums.matMul(wt).add(userDegrees.mul(bias));
    NDArray items = itemFeatures.matMul(wt).add(bias);
    return users.concat(items, 0);
  }
}
