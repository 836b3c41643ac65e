package dev.crane.api.topk;

/**
 * The k best (score, row) pairs seen so far, as a binary min-heap on parallel arrays: a candidate
 * costs one comparison unless it beats the current k-th best. Ties prefer the lower row, so that
 * results are deterministic.
 */
public final class TopKHeap {
  private final int k;
  private final float[] scores;
  private final int[] rows;
  private int size;

  public TopKHeap(int k) {
    this.k = k;
    this.scores = new float[k];
    this.rows = new int[k];
  }

  /** Offers a candidate. */
  public void offer(int row, float score) {
    if (size < k) {
      scores[size] = score;
      rows[size] = row;
      siftUp(size++);
    } else if (k > 0 && better(score, row, scores[0], rows[0])) {
      scores[0] = score;
      rows[0] = row;
      siftDown(0);
    }
  }

  /** The score a candidate must beat to enter, or -infinity while the heap is not full. */
  public float threshold() {
    return size < k ? Float.NEGATIVE_INFINITY : scores[0];
  }

  public int size() {
    return size;
  }

  /** The contents, best first; empties the heap. */
  public Hits drain() {
    int n = size;
    int[] r = new int[n];
    float[] s = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      r[i] = rows[0];
      s[i] = scores[0];
      size--;
      if (size > 0) {
        rows[0] = rows[size];
        scores[0] = scores[size];
        siftDown(0);
      }
    }
    return new Hits(r, s);
  }

  private static boolean better(float s1, int r1, float s2, int r2) {
    return s1 > s2 || (s1 == s2 && r1 < r2);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (!better(scores[p], rows[p], scores[i], rows[i])) {
        break;
      }
      swap(i, p);
      i = p;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int worst = l;
      int r = l + 1;
      if (r < size && better(scores[l], rows[l], scores[r], rows[r])) {
        worst = r;
      }
      if (!better(scores[i], rows[i], scores[worst], rows[worst])) {
        return;
      }
      swap(i, worst);
      i = worst;
    }
  }

  private void swap(int a, int b) {
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    int r = rows[a];
    rows[a] = rows[b];
    rows[b] = r;
  }
}
