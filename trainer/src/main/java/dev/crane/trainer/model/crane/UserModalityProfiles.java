package dev.crane.trainer.model.crane;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.graph.SparseMatrix;
import dev.crane.trainer.graph.SparseRows;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import dev.crane.trainer.model.core.StepProfiler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Every modality's projected user and item rows (paper Eq. 5-6, §3 choice). A user's row is the
 * projection of the sum of its training items' raw features (the stream processor's profile) plus
 * d_u times the bias. Because the projection is linear, (Σ_i F_i) Aᵀ = Σ_i (F_i Aᵀ): the items are
 * projected once per step (I x D x d) and summed per user through the sparse interaction matrix,
 * instead of projecting the U x D sums (3x fewer flops on Baby and Electronics, and no U x D
 * matrix in memory). X_m = [users; items] is N x d.
 *
 * <p>All modalities share one sparse product over their side-by-side projections (I x Md), a fused row
 * sum per user ({@link SparseRows}): its cost follows the user's items read far more than the width, so
 * one product of width Md costs little more than one of width d.
 */
public final class UserModalityProfiles {
  private final List<NDArray> itemFeatures = new ArrayList<>();
  private final List<NDArray> weights = new ArrayList<>();
  private final List<NDArray> biases = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final SparseRows interactions; // U x I, 1 per distinct training edge

  public UserModalityProfiles(TrainingData data, int dim, Parameters params, NDManager manager, SplittableRandom rng) {
    for (FeatureMatrix f : data.features()) {
      itemFeatures.add(Tensors.owned(manager, f.data(), new Shape(f.rows(), f.dim())));
      names.add(f.modality());
      double bound = 1 / Math.sqrt(f.dim()); // torch.nn.Linear default
      weights.add(params.add(f.modality() + "_proj.weight", Init.uniform(rng, dim * f.dim(), bound),
          new Shape(dim, f.dim())));
      biases.add(params.add(f.modality() + "_proj.bias", Init.uniform(rng, dim, bound), new Shape(dim)));
    }
    this.interactions = SparseRows.of(SparseMatrix.trainingInteractions(data, false), manager);
  }

  public int modalities() {
    return weights.size();
  }

  /** Each modality's projection (A_m, a_m) as a content map. */
  public List<dev.crane.trainer.model.core.ContentMap> contentMaps() {
    List<dev.crane.trainer.model.core.ContentMap> out = new ArrayList<>();
    for (int m = 0; m < weights.size(); m++) {
      long[] shape = weights.get(m).getShape().getShape();
      out.add(new dev.crane.trainer.model.core.ContentMap(names.get(m), (int) shape[1], (int) shape[0],
          weights.get(m).toFloatArray(), biases.get(m).toFloatArray()));
    }
    return out;
  }

  /** X_m for every modality m, each N x d, users first. */
  public List<NDArray> stacked() {
    return stacked(null);
  }

  /** As {@link #stacked()}, booking the items' projections and the users' sums to a profiler (may be null). */
  public List<NDArray> stacked(StepProfiler profiler) {
    // the items' rows carry the bias, so the users' sums over them carry d_u times it (Eq. 5) for free
    List<NDArray> projected = new ArrayList<>();
    for (int m = 0; m < modalities(); m++) {
      projected.add(Tensors.linear(itemFeatures.get(m), weights.get(m).transpose(), biases.get(m)));
    }
    StepProfiler.lap(profiler, "feature_projection");
    NDList userSums = projected.size() == 1
        ? new NDList(interactions.times(projected.get(0)))
        : interactions.times(NDArrays.concat(new NDList(projected), 1)).split(projected.size(), 1);
    List<NDArray> xs = new ArrayList<>();
    for (int m = 0; m < modalities(); m++) {
      xs.add(userSums.get(m).concat(projected.get(m), 0));
    }
    StepProfiler.lap(profiler, "user_profiles");
    return xs;
  }
}
