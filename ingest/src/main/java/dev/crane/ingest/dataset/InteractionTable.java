package dev.crane.ingest.dataset;

import dev.crane.schemas.Split;
import java.util.Arrays;
import java.util.Objects;

/**
 * Interactions in columns (primitive arrays: 1.7 M rows of Electronics stay small). Ids are
 * MMRec's dense 0-based ints; topics carry them as decimal strings. Row order is the file order.
 *
 * <p>Equality compares contents (so a dataset read back from disk equals the one written).
 *
 * @param timestamps event time in seconds as in the file, or null when the file has no timestamp
 * @param ratings rating, or null when the file has no rating column
 * @param splits split label per row (never null; MMRec files always have x_label)
 */
public record InteractionTable(
    int[] users, int[] items, long[] timestamps, float[] ratings, Split[] splits) {
  public InteractionTable {
    int n = users.length;
    if (items.length != n || splits.length != n
        || (timestamps != null && timestamps.length != n)
        || (ratings != null && ratings.length != n)) {
      throw new IllegalArgumentException("interaction columns differ in length");
    }
  }

  public int size() {
    return users.length;
  }

  public boolean hasTimestamps() {
    return timestamps != null;
  }

  public boolean hasRatings() {
    return ratings != null;
  }

  /** Rows of one split. */
  public int count(Split split) {
    int c = 0;
    for (Split s : splits) {
      if (s == split) {
        c++;
      }
    }
    return c;
  }

  /** Largest user id, or -1 when empty. */
  public int maxUser() {
    return max(users);
  }

  /** Largest item id, or -1 when empty. */
  public int maxItem() {
    return max(items);
  }

  private static int max(int[] a) {
    int m = -1;
    for (int v : a) {
      m = Math.max(m, v);
    }
    return m;
  }

  /**
   * The order in which ingest publishes the rows: row indices sorted by timestamp, ties kept in
   * file order (a stable sort), or simply file order when there are no timestamps.
   */
  public int[] publishOrder() {
    int n = size();
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    if (timestamps == null || isSorted(timestamps)) {
      return order;
    }
    // Bottom-up merge sort of indices: stable, O(n log n), no boxing of 1.7 M Integers.
    int[] tmp = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
          // "<=" takes from the left run on ties: that is what keeps the sort stable.
          if (j >= hi || (i < mid && timestamps[order[i]] <= timestamps[order[j]])) {
            tmp[k] = order[i++];
          } else {
            tmp[k] = order[j++];
          }
        }
      }
      int[] swap = order;
      order = tmp;
      tmp = swap;
    }
    return order;
  }

  private static boolean isSorted(long[] a) {
    for (int i = 1; i < a.length; i++) {
      if (a[i] < a[i - 1]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InteractionTable t
        && Arrays.equals(users, t.users) && Arrays.equals(items, t.items)
        && Arrays.equals(timestamps, t.timestamps) && Arrays.equals(ratings, t.ratings)
        && Arrays.equals(splits, t.splits);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(users), Arrays.hashCode(items), Arrays.hashCode(timestamps),
        Arrays.hashCode(ratings), Arrays.hashCode(splits));
  }

  @Override
  public String toString() {
    return "InteractionTable[" + size() + " rows" + (hasTimestamps() ? ", timestamps" : "")
        + (hasRatings() ? ", ratings" : "") + "]";
  }
}
