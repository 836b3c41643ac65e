package dev.crane.api.topk;

/**
 * The exact scan: every row's score into a per-thread buffer, excluded rows masked, then a
 * k-heap. At 63k x 64 the scan is ~0.3 ms with the Vector API kernel's tiled layout.
 */
public final class ExactIndex implements ItemIndex {
  private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

  private final int rows;
  private final ScoreKernel.Scan scan;

  public ExactIndex(float[] matrix, int rows, int dim, ScoreKernel kernel) {
    this.rows = rows;
    this.scan = kernel.scan(matrix, rows, dim);
  }

  @Override
  public Hits search(float[] query, int k, int[] excludedRows) {
    float[] scores = BUFFER.get();
    if (scores.length < scan.paddedRows()) {
      scores = new float[scan.paddedRows()];
      BUFFER.set(scores);
    }
    scan.scores(query, scores);
    for (int r : excludedRows) {
      if (r < rows) {
        scores[r] = Float.NEGATIVE_INFINITY;
      }
    }
    TopKHeap heap = new TopKHeap(Math.min(k, rows));
    for (int i = 0; i < rows; i++) {
      // Rows ascend, so a tie never displaces a kept row; masked rows (-inf) and NaN never pass.
      if (scores[i] > heap.threshold()) {
        heap.offer(i, scores[i]);
      }
    }
    return heap.drain();
  }

  @Override
  public void scoreAll(float[] query, float[] out) {
    scan.scores(query, out);
  }

  @Override
  public int scoreBufferSize() {
    return scan.paddedRows();
  }

  @Override
  public String kind() {
    return "exact";
  }
}
