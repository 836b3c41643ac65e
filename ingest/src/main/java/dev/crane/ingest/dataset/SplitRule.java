package dev.crane.ingest.dataset;

import dev.crane.schemas.Split;
import java.util.random.RandomGenerator;

/**
 * MMRec's per-user random split (crane-spec §1.3): a user's rows are shuffled; n &lt; 10 rows give
 * n-2 train, 1 valid, 1 test; otherwise v = floor(0.2 n) gives n-v train, floor(v/2) valid and
 * v-floor(v/2) test. Every user therefore has at least 1 train, 1 valid and 1 test row (n &ge; 3).
 */
public final class SplitRule {
  private SplitRule() {}

  /** {train, valid, test} counts for a user with {@code n >= 3} rows. */
  public static int[] counts(int n) {
    if (n < 3) {
      throw new IllegalArgumentException("the split rule needs at least 3 rows per user, got " + n);
    }
    if (n < 10) {
      return new int[] {n - 2, 1, 1};
    }
    int v = n / 5; // = floor(0.2 n) exactly, without floating point
    return new int[] {n - v, v / 2, v - v / 2};
  }

  /**
   * Labels one user's {@code n} rows: shuffles the positions 0..n-1 (Fisher-Yates with {@code rng})
   * and gives the first counts[0] train, the next counts[1] valid and the rest test.
   */
  public static Split[] assign(int n, RandomGenerator rng) {
    int[] c = counts(n);
    int[] pos = new int[n];
    for (int i = 0; i < n; i++) {
      pos[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = pos[i];
      pos[i] = pos[j];
      pos[j] = t;
    }
    Split[] out = new Split[n];
    for (int k = 0; k < n; k++) {
      out[pos[k]] = k < c[0] ? Split.TRAIN : k < c[0] + c[1] ? Split.VALID : Split.TEST;
    }
    return out;
  }
}
