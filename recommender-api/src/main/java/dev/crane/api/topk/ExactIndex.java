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
 * A query that could overflow a sum, or one for which too many rows would be rescored (a zero query,
 * a k near the catalog's size), takes the float scan instead. Below {@code int8MinRows} the float
 * matrix stays in cache and one pass is cheaper than two.
 */
public final class ExactIndex implements ItemIndex {
  private static final ThreadBuffer BUFFER = new ThreadBuffer();
  /** Rows rescored one by one beyond which the float scan is cheaper (a pass costs ~0.5 ms, a row ~50 ns). */
  private static final int MAX_RESCORED = 4096;

  private final int rows;
  private final ScoreKernel.Scan floats;
  private final SharedScan scan;
  private final ScoreKernel kernel;
  /** The int8 pass's bounds (its codes live in the approximate scan), or null: floats only. */
  private final Int8Rows.Bounds bounds;
  private final SharedScan approx;
  private final java.util.concurrent.atomic.LongAdder rescored = new java.util.concurrent.atomic.LongAdder();

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
    this.bounds = int8 == null ? null : int8.bounds();
    this.approx = int8 == null ? null : new SharedScan(kernel.approxScan(int8), passes);
  }

  @Override
  public Hits search(float[] query, int k, int[] excludedRows) {
    return approx == null ? searchFloats(query, k, excludedRows) : searchInt8First(query, k, excludedRows);
  }

  private Hits searchFloats(float[] query, int k, int[] excludedRows) {
    float[] scores = BUFFER.get(scan.paddedRows());
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
   * Every float score of a finite row lies in [approx − ‖q‖r − a, approx + ‖q‖r + a] (a: the
   * underflow slack). The k-th best lower bound τ is at most the k-th best float score, so a row of the
   * float top-k (or tied with its last) has an upper bound ≥ τ: those rows, in ascending order through
   * the same heap, give the float result. Rows that are not finite have an infinite radius: always
   * rescored, never raising τ.
   */
  private Hits searchInt8First(float[] query, int k, int[] excludedRows) {
    if (!bounds.safeFor(query)) {
      return searchFloats(query, k, excludedRows);
    }
    float[] radius = bounds.radius();
    float[] approxScores = BUFFER.get(approx.paddedRows());
    approx.scores(query, approxScores);
    mask(approxScores, excludedRows);
    float qn = Int8Rows.queryNorm(query);
    TopKHeap lower = new TopKHeap(Math.min(k, rows));
    for (int i = kernel.firstAbove(approxScores, radius, -qn, 0, rows, lower.threshold()); i < rows;
        i = kernel.firstAbove(approxScores, radius, -qn, i + 1, rows, lower.threshold())) {
      lower.offer(i, Math.fma(radius[i], -qn, approxScores[i]));
    }
    // upper + a ≥ τ − a, as upper > a float strictly below τ − 2a; with fewer than k finite lower
    // bounds τ is -inf: every row not masked
    float tau = lower.threshold();
    float cut = tau == Float.NEGATIVE_INFINITY ? tau : Math.nextDown((float) (tau - 2 * bounds.absoluteSlack()));
    TopKHeap heap = new TopKHeap(Math.min(k, rows));
    int limit = Math.max(MAX_RESCORED, 4 * k);
    int n = 0;
    for (int i = kernel.firstAbove(approxScores, radius, qn, 0, rows, cut); i < rows;
        i = kernel.firstAbove(approxScores, radius, qn, i + 1, rows, cut)) {
      if (++n > limit) {
        rescored.add(n);
        return searchFloats(query, k, excludedRows); // the bounds do not separate this query's rows
      }
      float s = floats.score(query, i);
      if (s > heap.threshold()) {
        heap.offer(i, s);
      }
    }
    rescored.add(n);
    return heap.drain();
  }

  /** Rows scored one by one in float after the int8 pass, over every search so far (tests, diagnosis). */
  long rescoredRows() {
    return rescored.sum();
  }

  private void mask(float[] scores, int[] excludedRows) {
    for (int r : excludedRows) {
      if (r < rows) {
        scores[r] = Float.NEGATIVE_INFINITY;
      }
    }
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
