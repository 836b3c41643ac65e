package dev.crane.api.model;

/**
 * One modality's affine map y = W x + b into a version's content space (schemas/EMBEDDINGS.md).
 *
 * @param weights outputDim x inputDim, row-major
 */
public record Projection(String modality, int inputDim, int outputDim, float[] weights, float[] bias) {
  public Projection {
    if (weights.length != (long) inputDim * outputDim || bias.length != outputDim) {
      throw new IllegalArgumentException("projection of modality " + modality + ": " + weights.length
          + " weights and " + bias.length + " biases for " + outputDim + " x " + inputDim);
    }
  }

  /** Writes W x + b into {@code out} at {@code offset}. */
  public void apply(float[] x, float[] out, int offset) {
    for (int o = 0; o < outputDim; o++) {
      double s = bias[o];
      int row = o * inputDim;
      for (int i = 0; i < inputDim; i++) {
        s += (double) weights[row + i] * x[i];
      }
      out[offset + o] = (float) s;
    }
  }
}
