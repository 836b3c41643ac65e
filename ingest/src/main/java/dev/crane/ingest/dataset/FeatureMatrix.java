package dev.crane.ingest.dataset;

import java.util.Objects;

/**
 * Item features of one modality: row i belongs to item index i, stored row-major as float32
 * (MMRec's loader casts float16/float64 files to float32 too).
 */
public record FeatureMatrix(String modality, int rows, int dim, float[] data) {
  public FeatureMatrix {
    Objects.requireNonNull(modality, "modality");
    if (rows < 0 || dim <= 0) {
      throw new IllegalArgumentException("bad shape " + rows + "x" + dim + " for modality " + modality);
    }
    if (data.length != (long) rows * dim) {
      throw new IllegalArgumentException(
          "modality " + modality + ": " + data.length + " values for shape " + rows + "x" + dim);
    }
  }

  /** A copy of row {@code i}. */
  public float[] row(int i) {
    float[] out = new float[dim];
    System.arraycopy(data, i * dim, out, 0, dim);
    return out;
  }
}
