package dev.crane.api.topk;

/**
 * The exact scan: every row's score into a per-thread buffer, excluded rows masked, then a
 * k-heap. At 63k x 64 the scan is ~0.35 ms with the Vector API kernel; the selection adds ~0.05 ms.
 */
public final class ExactIndex implements ItemIndex {
  private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

  private final float[] matrix;
  private final int rows;
  private final ScoreKernel kernel;

  public ExactIndex(float[] matrix, int rows, ScoreKernel kernel) {
    this.matrix = matrix;
    this.rows = rows;
    this.kernel = kernel;
  }

  @Override
  public Hits search(float[] query, int k, int[] excludedRows) {
    float[] scores = BUFFER.get();
    if (scores.length < rows) {
      scores = new float[rows];
      BUFFER.set(scores);
    }
    kernel.scores(matrix, query, 0, rows, scores);
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
  public String kind() {
    return "exact";
  }
}
