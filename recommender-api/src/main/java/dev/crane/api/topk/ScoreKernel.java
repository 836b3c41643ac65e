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
   * The first i in [from, to) with scores[i] > threshold, or {@code to}: the top-k selection's filter
   * (after the first k rows nearly every score fails it). NaN never passes.
   */
  default int firstAbove(float[] scores, int from, int to, float threshold) {
    for (int i = from; i < to; i++) {
      if (scores[i] > threshold) {
        return i;
      }
    }
    return to;
  }

  /**
   * The first i in [from, to) with scores[i] + c * radius[i] > threshold, or {@code to}: the int8
   * pass's bound filters ({@link ExactIndex}). NaN never passes.
   */
  default int firstAbove(float[] scores, float[] radius, float c, int from, int to, float threshold) {
    for (int i = from; i < to; i++) {
      if (Math.fma(radius[i], c, scores[i]) > threshold) {
        return i;
      }
    }
    return to;
  }

  /**
   * The whole matrix laid out the way this kernel scans fastest (built once per version).
   */
  Scan scan(float[] matrix, int rows, int dim);

  /**
   * The int8 copy's scan: out[i] within {@code ‖q‖ · radius[i] + absoluteSlack()} of the float scan's
   * score for a query {@link Int8Rows.Bounds#safeFor} allows, from a quarter of the bytes.
   */
  Scan approxScan(Int8Rows rows);

  String name();

  /** All rows' scores against one query. */
  interface Scan {
    /** out[i] = ⟨row i, q⟩ for every row; {@code out} needs {@link #paddedRows()} floats. */
    void scores(float[] q, float[] out);

    /**
     * The same for {@code n} queries in one pass over the matrix, each {@code outs[i]} equal bit for
     * bit to {@code scores(qs[i], outs[i])}. The scan is memory-bound, so a kernel that keeps a piece
     * of the matrix in cache across the queries scores several for little more than the cost of one.
     */
    default void scores(float[][] qs, float[][] outs, int n) {
      for (int i = 0; i < n; i++) {
        scores(qs[i], outs[i]);
      }
    }

    int paddedRows();

    /** One row's score, bit for bit what {@link #scores(float[], float[])} gives it. */
    float score(float[] q, int row);
  }
}
