package dev.crane.ingest.dataset;

/**
 * Interactions in columns (primitive arrays: 1.7 M rows of Electronics stay small). Ids are
 * MMRec's dense 0-based ints; topics carry them as decimal strings.
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
}
