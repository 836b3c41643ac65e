package dev.crane.trainer.model.core;

import dev.crane.ingest.dataset.FeatureMatrix;
import java.util.SplittableRandom;

/**
 * A modality's map y = W x + b from raw features into the model's content space
 * (schemas/EMBEDDINGS.md): where items are placed by what they look like, for cold-start items and
 * the rows of new items at a warm start.
 *
 * @param weights outputDim x inputDim, row-major
 */
public record ContentMap(String modality, int inputDim, int outputDim, float[] weights, float[] bias) {
  /** Output width of {@link #random}. */
  public static final int RANDOM_DIM = 64;

  public ContentMap {
    if (weights.length != (long) inputDim * outputDim || bias.length != outputDim) {
      throw new IllegalArgumentException("content map of " + modality + ": " + weights.length + " weights and "
          + bias.length + " biases for " + outputDim + " x " + inputDim);
    }
  }

  /**
   * For models without a learned map: a Gaussian projection with entries N(0, 1/64) and no bias,
   * which keeps cosines approximately (Johnson-Lindenstrauss). Seeded by the modality's name and
   * width, so that every version of every model has the same one.
   */
  public static ContentMap random(FeatureMatrix f) {
    SplittableRandom rng = new SplittableRandom(f.modality().hashCode() * 31L + f.dim());
    float[] w = new float[RANDOM_DIM * f.dim()];
    double std = 1 / Math.sqrt(RANDOM_DIM);
    for (int i = 0; i < w.length; i++) {
      double u1 = 1.0 - rng.nextDouble();
      double u2 = rng.nextDouble();
      w[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) * std);
    }
    return new ContentMap(f.modality(), f.dim(), RANDOM_DIM, w, new float[RANDOM_DIM]);
  }

  /** W x_row + b of row {@code row} of {@code f}, into {@code out} at {@code offset}. */
  public void apply(FeatureMatrix f, int row, float[] out, int offset) {
    float[] x = f.data();
    int base = row * inputDim;
    for (int o = 0; o < outputDim; o++) {
      double acc = bias[o];
      int w = o * inputDim;
      for (int j = 0; j < inputDim; j++) {
        acc += weights[w + j] * x[base + j];
      }
      out[offset + o] = (float) acc;
    }
  }
}
