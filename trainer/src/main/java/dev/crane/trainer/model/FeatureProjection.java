package dev.crane.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.trainer.model.core.ContentMap;
import dev.crane.trainer.model.core.Init;
import dev.crane.trainer.model.core.Parameters;
import java.util.SplittableRandom;

/**
 * A modality's raw item feature table F_m as a trainable parameter initialised from the file
 * (§2.1, §8 B2: FREEDOM and the CRANE code fine-tune it) and its affine map to d dimensions,
 * P_m = F_m A_mᵀ + a_m, with PyTorch's Linear default init U(±1/√dim_m) for A_m and a_m.
 * Parameter names follow MMRec: {@code <modality>_embedding}, {@code <modality>_trs.weight/bias}.
 */
public final class FeatureProjection {
  private final String modality;
  private final NDArray features;
  private final NDArray weight;
  private final NDArray bias;

  public FeatureProjection(FeatureMatrix f, int dim, Parameters params, SplittableRandom rng) {
    this.modality = f.modality();
    double bound = 1 / Math.sqrt(f.dim());
    this.features = params.add(modality + "_embedding", f.data(), new Shape(f.rows(), f.dim()), Parameters.Rows.ITEM_DATA);
    this.weight = params.add(modality + "_trs.weight", Init.uniform(rng, dim * f.dim(), bound), new Shape(dim, f.dim()));
    this.bias = params.add(modality + "_trs.bias", Init.uniform(rng, dim, bound), new Shape(dim));
  }

  /** P_m (I x d) over the full item table. */
  public NDArray project() {
    return features.matMul(weight.transpose()).add(bias);
  }

  public String modality() {
    return modality;
  }

  /** A_m and a_m as a content map (raw features in, d out). */
  public ContentMap contentMap() {
    long[] shape = weight.getShape().getShape();
    return new ContentMap(modality, (int) shape[1], (int) shape[0], weight.toFloatArray(), bias.toFloatArray());
  }
}
