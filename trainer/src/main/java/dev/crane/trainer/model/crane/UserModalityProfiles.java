package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.graph.SparseMatrix;
import dev.crane.trainer.model.Init;
import dev.crane.trainer.model.Parameters;
import java.util.SplittableRandom;

/**
 * One modality's projected user and item rows (paper Eq. 5-6, §3 choice). A user's row is the
 * projection of the sum of its training items' raw features (the stream processor's profile) plus
 * d_u times the bias. Because the projection is linear, (Σ_i F_i) Aᵀ = Σ_i (F_i Aᵀ): the items are
 * projected once per step (I x D x d) and summed per user through the sparse interaction matrix,
 * instead of projecting the U x D sums (3x fewer flops on Baby and Electronics, and no U x D
 * matrix in memory). X_m = [users; items] is N x d.
 */
public final class UserModalityProfiles {
  private final NDArray itemFeatures;
  private final NDArray interactions; // U x I, 1 per distinct training edge
  private final NDArray userDegrees;
  private final NDArray weight;
  private final NDArray bias;

  public UserModalityProfiles(TrainingData data, int modality, int dim, Parameters params, NDManager manager,
      SplittableRandom rng) {
    FeatureMatrix f = data.features().get(modality);
    this.itemFeatures = Tensors.owned(manager, f.data(), new Shape(f.rows(), f.dim()));
    this.interactions = SparseMatrix.trainingInteractions(data, false).toNDArray(manager);
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
    NDArray projected = itemFeatures.matMul(wt);
    NDArray users = interactions.matMul(projected).add(userDegrees.mul(bias));
    return users.concat(projected.add(bias), 0);
  }
}
