package dev.crane.api.topk;

/**
 * The exact scan: every row's score into a per-thread buffer, excluded rows masked, then a
 * k-heap. The scan itself is shared by the queries that arrive together ({@link SharedScan}); at
 * 63k x 64 it costs 0.6 ms alone with the matrix out of cache, 0.13 ms per query in passes of eight.
 *
 * <p>From {@code int8MinRows} rows the first pass reads an int8 copy ({@link Int8Rows}, a quarter of
 * the bytes) whose scores come with a bound on their distance from the float ones. The k-th best
 * lower bound is a score the float top-k cannot be under, so only the rows whose upper bound
 * reaches it are scored in float, and the result is the float scan's, bit for bit, ties included.
 * Below that size the float matrix stays in cache and one pass is cheaper than two.
 */
public final class ExactIndex implements ItemIndex {
  private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

  private final int rows;
  private final ScoreKernel.Scan floats;
  private final SharedScan scan;
  private final ScoreKernel kernel;
  /** The int8 rows' radii (the codes live in the approximate scan's own layout), or null: floats only. */
  private final float[] radius;
  private final SharedScan approx;

  /** @param passes scans at once (see {@link SharedScan}) */
  public ExactIndex(float[] matrix, int rows, int dim, ScoreKernel kernel, int passes) {
    this(matrix, rows, dim, kernel, passes, Integer.MAX_VALUE);
  }

  /** @param int8MinRows rows from which the int8 copy is scanned first */
  public ExactIndex(float[] matrix, int rows, int dim, ScoreKernel kernel, int passes, int int8MinRows) {
    this.rows = rows;
    this.kernel = kernel;
    this.floats = kernel.scan(matrix, rows, dim);
    this.scan = new SharedScan(floats, passes);
    Int8Rows int8 = rows >= int8MinRows ? Int8Rows.of(matrix, rows, dim) : null;
    this.radius = int8 == null ? null : int8.radius;
    this.approx = int8 == null ? null : new SharedScan(kernel.approxScan(int8), passes);
  }

  @Override
  public Hits search(float[] query, int k, int[] excludedRows) {
    return approx == null ? searchFloats(query, k, excludedRows) : searchInt8First(query, k, excludedRows);
  }

  private Hits searchFloats(float[] query, int k, int[] excludedRows) {
    float[] scores = buffer(scan.paddedRows());
    scan.scores(query, scores);
    mask(scores, excludedRows);
    TopKHeap heap = new TopKHeap(Math.min(k, rows));
    // Rows ascend, so a tie never displaces a kept row; masked rows (-inf) and NaN never pass.
    for (int i = kernel.firstAbove(scores, 0, rows, heap.threshold()); i < rows;
        i = kernel.firstAbove(scores, i + 1, rows, heap.threshold())) {
      heap.offer(i, scores[i]);
    }
    return heap.drain();
  }

  /**
   * Every float score lies in [approx − ‖q‖r, approx + ‖q‖r]. The k-th best lower bound τ is at most
   * the k-th best float score, so a row of the float top-k (or tied with its last) has an upper bound
   * ≥ τ: those rows, in ascending order through the same heap, give the float result.
   */
  private Hits searchInt8First(float[] query, int k, int[] excludedRows) {
    float[] approxScores = buffer(approx.paddedRows());
    approx.scores(query, approxScores);
    mask(approxScores, excludedRows);
    float qn = Int8Rows.queryNorm(query);
    TopKHeap lower = new TopKHeap(Math.min(k, rows));
    for (int i = kernel.firstAbove(approxScores, radius, -qn, 0, rows, lower.threshold()); i < rows;
        i = kernel.firstAbove(approxScores, radius, -qn, i + 1, rows, lower.threshold())) {
      lower.offer(i, Math.fma(radius[i], -qn, approxScores[i]));
    }
    // "≥ τ" as "> nextDown(τ)"; with fewer than k finite lower bounds τ is -inf: every row not masked
    float tau = Math.nextDown(lower.threshold());
    TopKHeap heap = new TopKHeap(Math.min(k, rows));
    for (int i = kernel.firstAbove(approxScores, radius, qn, 0, rows, tau); i < rows;
        i = kernel.firstAbove(approxScores, radius, qn, i + 1, rows, tau)) {
      float s = floats.score(query, i);
      if (s > heap.threshold()) {
        heap.offer(i, s);
      }
    }
    return heap.drain();
  }

  private void mask(float[] scores, int[] excludedRows) {
    for (int r : excludedRows) {
      if (r < rows) {
        scores[r] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  private static float[] buffer(int size) {
    float[] scores = BUFFER.get();
    if (scores.length < size) {
      scores = new float[size];
      BUFFER.set(scores);
    }
    return scores;
  }

  @Override
  public void scoreAll(float[] query, float[] out) {
    scan.scores(query, out);
  }

  @Override
  public int scoreBufferSize() {
    return scan.paddedRows();
  }

  /** Whether the int8 copy is scanned first (metrics, the benchmark). */
  public boolean int8First() {
    return approx != null;
  }

  @Override
  public String kind() {
    return "exact";
  }
}
