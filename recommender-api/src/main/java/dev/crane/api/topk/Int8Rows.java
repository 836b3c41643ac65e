package dev.crane.api.topk;

/**
 * An int8 copy of a row-major float matrix for the exact scan's first pass: row r is
 * {@code scale[r] * codes[r]} (symmetric, one scale per row, codes in [-127, 127]), a quarter of the
 * float matrix's bytes. {@code radius[r]} bounds, per unit of the query's norm, how far the int8
 * pass's score of row r can be from the float scan's: the quantisation error of the row plus the
 * float rounding of both sums (each below 66 units of 2^-24 times the row's norm, here 128), so
 * that {@code |approx − exact| ≤ ‖q‖ · radius[r]} holds for every query and the float top-k can be
 * found among the rows whose bounds reach it ({@link ExactIndex}).
 */
public final class Int8Rows {
  /** Units of float rounding (2^-24) per unit of norm allowed for the two sums and the bound's own arithmetic. */
  private static final double ROUNDING = 128 * 0x1p-24;

  final byte[] codes;
  final float[] scale;
  final float[] radius;
  final int rows;
  final int dim;

  private Int8Rows(byte[] codes, float[] scale, float[] radius, int rows, int dim) {
    this.codes = codes;
    this.scale = scale;
    this.radius = radius;
    this.rows = rows;
    this.dim = dim;
  }

  /** Quantises every row; a row with a non-finite value gets codes 0 and an infinite radius (always rescored). */
  public static Int8Rows of(float[] matrix, int rows, int dim) {
    byte[] codes = new byte[rows * dim];
    float[] scale = new float[rows];
    float[] radius = new float[rows];
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      double max = 0;
      boolean finite = true;
      for (int j = 0; j < dim; j++) {
        float x = matrix[o + j];
        finite &= Float.isFinite(x);
        max = Math.max(max, Math.abs(x));
      }
      if (!finite) {
        radius[r] = Float.POSITIVE_INFINITY;
        continue;
      }
      float s = (float) (max / 127);
      double err2 = 0;
      double norm2 = 0;
      double quantNorm2 = 0;
      for (int j = 0; j < dim; j++) {
        float x = matrix[o + j];
        int c = s == 0 ? 0 : (int) Math.max(-127, Math.min(127, Math.round(x / s)));
        codes[o + j] = (byte) c;
        double xq = (double) c * s;
        err2 += (x - xq) * (x - xq);
        norm2 += (double) x * x;
        quantNorm2 += xq * xq;
      }
      scale[r] = s;
      double bound = (Math.sqrt(err2) + ROUNDING * (Math.sqrt(norm2) + Math.sqrt(quantNorm2))) * (1 + 0x1p-20);
      radius[r] = Math.nextUp((float) bound);
    }
    return new Int8Rows(codes, scale, radius, rows, dim);
  }

  /** ‖q‖, rounded up so that the bounds built from it hold. */
  public static float queryNorm(float[] q) {
    double n2 = 0;
    for (float x : q) {
      n2 += (double) x * x;
    }
    return Math.nextUp((float) (Math.sqrt(n2) * (1 + 0x1p-20)));
  }

  public int rows() {
    return rows;
  }

  /** Bytes of the copy (codes, scales, radii). */
  public long bytes() {
    return codes.length + 8L * rows;
  }
}
