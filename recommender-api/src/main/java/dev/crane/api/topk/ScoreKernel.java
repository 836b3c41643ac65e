package dev.crane.api.topk;

/** Inner products of one query with a range of rows of a row-major matrix: the exact scan's inner loop. */
public interface ScoreKernel {
  /** out[i] = ⟨matrix row i, q⟩ for i in [from, to); rows have {@code q.length} floats. */
  void scores(float[] matrix, float[] q, int from, int to, float[] out);

  /** ⟨a row of matrix, q⟩. */
  default float dot(float[] matrix, int row, float[] q) {
    float s = 0;
    int o = row * q.length;
    for (int j = 0; j < q.length; j++) {
      s += matrix[o + j] * q[j];
    }
    return s;
  }

  /**
   * The whole matrix laid out the way this kernel scans fastest (built once per version).
   */
  Scan scan(float[] matrix, int rows, int dim);

  String name();

  /** All rows' scores against one query. */
  interface Scan {
    /** out[i] = ⟨row i, q⟩ for every row; {@code out} needs {@link #paddedRows()} floats. */
    void scores(float[] q, float[] out);

    int paddedRows();
  }
}
