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

  /** No ids: the base of a model trained from scratch. */
  public static IdMapping empty() {
    return new IdMapping(List.of());
  }

  /**
   * This mapping followed by the ids of {@code all} it lacks, in their order (design.md: append-only,
   * so old rows keep their meaning). Every id of this mapping must be in {@code all}.
   *
   * @param what "user" or "item", for the message
   */
  public IdMapping extendedBy(List<String> all, String what) {
    if (all.size() < ids.length) {
      throw new IllegalArgumentException("the data has " + all.size() + " " + what + "s but the model already has "
          + ids.length + ": is it an older snapshot than the model's?");
    }
    List<String> out = new java.util.ArrayList<>(all.size());
    out.addAll(List.of(ids));
    int present = 0;
    for (String id : all) {
      if (rows.containsKey(id)) {
        present++;
      } else {
        out.add(id);
      }
    }
    if (present != ids.length) {
      String missing = List.of(ids).stream().filter(id -> !new java.util.HashSet<>(all).contains(id)).findFirst().orElse("?");
      throw new IllegalArgumentException(what + " '" + missing + "' of the model is not in the data ("
          + (ids.length - present) + " missing): ids are never removed, so the data must be a later snapshot of the same stream");
    }
    return new IdMapping(out);
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
