package dev.crane.ingest.dataset;

import java.util.Arrays;
import java.util.Objects;

/**
 * Item features of one modality: row i belongs to item index i, stored row-major as float32
 * (MMRec's loader casts float16/float64 files to float32 too).
 *
 * <p>Equality compares contents (so a dataset read back from disk equals the one written).
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

  /** Element (row, col). */
  public float get(int row, int col) {
    Objects.checkIndex(col, dim);
    return data[row * dim + col];
  }

  /** The first column of row {@code i} holding NaN or Inf, or -1 when the row is finite. */
  public int firstNonFinite(int i) {
    int base = i * dim;
    for (int c = 0; c < dim; c++) {
      if (!Float.isFinite(data[base + c])) {
        return c;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureMatrix f
        && modality.equals(f.modality) && rows == f.rows && dim == f.dim && Arrays.equals(data, f.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(modality, rows, dim, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "FeatureMatrix[" + modality + ", " + rows + "x" + dim + "]";
  }
}
