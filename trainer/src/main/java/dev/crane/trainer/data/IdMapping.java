package dev.crane.trainer.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * External string id to embedding row, for users or items. design.md: the mapping is append-only
 * across fine-tunes and travels in the checkpoint. MMRec files use dense ints, so row r has id "r".
 */
public final class IdMapping {
  private final String[] ids;
  private final Map<String, Integer> rows;

  public IdMapping(List<String> ids) {
    this.ids = ids.toArray(String[]::new);
    this.rows = new HashMap<>(ids.size() * 2);
    for (int r = 0; r < this.ids.length; r++) {
      if (rows.put(this.ids[r], r) != null) {
        throw new IllegalArgumentException("duplicate id " + this.ids[r]);
      }
    }
  }

  /** Rows 0..n-1 named by their decimal index (MMRec's dense ids). */
  public static IdMapping dense(int n) {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = Integer.toString(i);
    }
    return new IdMapping(Arrays.asList(ids));
  }

  public int size() {
    return ids.length;
  }

  public String id(int row) {
    return ids[row];
  }

  /** The row of an id, or -1 when unknown. */
  public int row(String id) {
    Integer r = rows.get(id);
    return r == null ? -1 : r;
  }

  public List<String> ids() {
    return List.of(ids);
  }
}
