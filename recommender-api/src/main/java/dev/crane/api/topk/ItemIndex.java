package dev.crane.api.topk;

/** Top-k by inner product over a version's trained items. Thread-safe. */
public interface ItemIndex {
  /**
   * @param excludedRows rows never to return, sorted ascending
   * @return up to k rows, best first (fewer only when fewer rows remain)
   */
  Hits search(float[] query, int k, int[] excludedRows);

  /** Every row's score into {@code out} (at least {@link #scoreBufferSize()} floats): SimilarItems' scan. */
  void scoreAll(float[] query, float[] out);

  int scoreBufferSize();

  /** "exact" or "hnsw". */
  String kind();
}
