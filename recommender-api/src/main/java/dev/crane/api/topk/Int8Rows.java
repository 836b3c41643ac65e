package dev.crane.api.topk;

/**
 * An int8 copy of a row-major float matrix for the exact scan's first pass: row r is
 * {@code scale[r] * codes[r]} (symmetric, one scale per row, codes in [-127, 127]), a quarter of the
 * float matrix's bytes. {@code radius[r]} bounds, per unit of the query's norm, how far the int8
 * pass's score of row r can be from the float scan's: the quantisation error of the row plus the
 * relative float rounding of both sums and of the bound's own fma (at most d + 1, d and 2 units of
 * 2^-24 times the row's norm; 2d + 8 allowed). Underflow adds an absolute error that no relative
 * term covers ({@link Bounds#absoluteSlack()}), and overflow none can: for a query that could
 * overflow a sum ({@link Bounds#safeFor}) the float scan alone is used. Within those,
 * {@code |approx − exact| ≤ ‖q‖ · radius[r] + absoluteSlack} for every finite row, and the float
 * top-k can be found among the rows whose bounds reach it ({@link ExactIndex}). The codes are only
 * the kernel's input ({@link ScoreKernel#approxScan}); the search keeps the {@link Bounds}.
 */
public final class Int8Rows {
  final byte[] codes;
  final float[] scale;
  final float[] radius;
  final int rows;
  final int dim;
  private final double maxAbs;

  private Int8Rows(byte[] codes, float[] scale, float[] radius, int rows, int dim, double maxAbs) {
    this.codes = codes;
    this.scale = scale;
    this.radius = radius;
    this.rows = rows;
    this.dim = dim;
    this.maxAbs = maxAbs;
  }

  /** Quantises every row; a row with a non-finite value gets codes 0 and an infinite radius (always rescored). */
  public static Int8Rows of(float[] matrix, int rows, int dim) {
    byte[] codes = new byte[rows * dim];
    float[] scale = new float[rows];
    float[] radius = new float[rows];
    double rounding = (2.0 * dim + 8) * 0x1p-24;
    double maxAbs = 0;
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
      maxAbs = Math.max(maxAbs, max);
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
      double bound = (Math.sqrt(err2) + rounding * (Math.sqrt(norm2) + Math.sqrt(quantNorm2))) * (1 + 0x1p-20);
      radius[r] = Math.nextUp((float) bound);
    }
    return new Int8Rows(codes, scale, radius, rows, dim, maxAbs);
  }

  /** What the search needs once the kernel has laid out the codes. */
  public Bounds bounds() {
    return new Bounds(radius, maxAbs, dim);
  }

  /**
   * The per-row radii and what decides the query-wide terms.
   *
   * @param maxAbs the largest |value| of the finite rows
   */
  public record Bounds(float[] radius, double maxAbs, int dim) {
    /**
     * Whether no sum of either scan can overflow for this query (every partial sum is at most
     * ‖q‖₁ · max(127, max|x|) before scaling, the bounds a few times that): false for non-finite or
     * huge queries, which then take the float scan alone.
     */
    public boolean safeFor(float[] q) {
      double l1 = 0;
      for (float x : q) {
        l1 += Math.abs(x);
      }
      return l1 * Math.max(127, maxAbs) * 4 * (dim + 1) < Float.MAX_VALUE / 4; // false for NaN
    }

    /**
     * The absolute error underflow can add (2^-150 per rounded operation below the normal range: d + 1
     * in the int8 sum, scaled by the row's scale, d in the float sum, two in the bound): bounds move
     * outward by this on top of the relative radius.
     */
    public double absoluteSlack() {
      return (2.0 * dim + 8) * 0x1p-149 * (1 + maxAbs / 127);
    }
  }

  /** ‖q‖, rounded up so that the bounds built from it hold. */
  public static float queryNorm(float[] q) {
    double n2 = 0;
    for (float x : q) {
      n2 += (double) x * x;
    }
    return Math.nextUp((float) (Math.sqrt(n2) * (1 + 0x1p-20)));
  }
}
