package dev.crane.api.topk;

/**
 * Exact below {@code hnswMinItems} trained items, HNSW from there on; {@code exactPasses} exact scans
 * run at once ({@link SharedScan}); from {@code int8MinItems} the exact scan reads an int8 copy first.
 */
public record IndexFactory(int hnswMinItems, HnswIndex.Params hnsw, ScoreKernel kernel, int exactPasses,
    int int8MinItems) {
  public ItemIndex build(float[] matrix, int rows, int dim) {
    return rows >= hnswMinItems ? new HnswIndex(matrix, rows, dim, kernel, hnsw)
        : new ExactIndex(matrix, rows, dim, kernel, exactPasses, int8MinItems);
  }
}
