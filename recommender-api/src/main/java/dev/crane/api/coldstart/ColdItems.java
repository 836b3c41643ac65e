package dev.crane.api.coldstart;

import java.util.HashMap;
import java.util.Map;

/**
 * The cold-start items placed into one version, as a small contiguous matrix of their own that the
 * top-k scans exactly beside the version's index. Copy-on-write: a query holds one consistent
 * snapshot while the items feed adds more.
 */
public final class ColdItems {
  /** One immutable generation of the cold items. */
  public record Snapshot(String[] ids, float[] vectors, float[] collaborative, float[] semantic,
      Map<String, Integer> rowOf) {
    public int size() {
      return ids.length;
    }

    public int row(String id) {
      Integer r = rowOf.get(id);
      return r == null ? -1 : r;
    }
  }

  private final int dim;
  private final boolean withSemantic;
  private volatile Snapshot current;

  public ColdItems(int dim, boolean withSemantic) {
    this.dim = dim;
    this.withSemantic = withSemantic;
    this.current = new Snapshot(new String[0], new float[0], new float[0], withSemantic ? new float[0] : null,
        Map.of());
  }

  public Snapshot snapshot() {
    return current;
  }

  /** Adds or replaces an item (a feature update places it again). One writer at a time. */
  public synchronized void put(String id, ColdStartPlacer.Placement p) {
    Snapshot s = current;
    int row = s.row(id);
    int n = row >= 0 ? s.size() : s.size() + 1;
    if (row < 0) {
      row = s.size();
    }
    String[] ids = java.util.Arrays.copyOf(s.ids(), n);
    float[] v = java.util.Arrays.copyOf(s.vectors(), n * dim);
    float[] c = java.util.Arrays.copyOf(s.collaborative(), n * dim);
    float[] sem = withSemantic ? java.util.Arrays.copyOf(s.semantic(), n * dim) : null;
    ids[row] = id;
    System.arraycopy(p.vector(), 0, v, row * dim, dim);
    System.arraycopy(p.collaborative(), 0, c, row * dim, dim);
    if (sem != null) {
      System.arraycopy(p.semantic(), 0, sem, row * dim, dim);
    }
    Map<String, Integer> rowOf = new HashMap<>(s.rowOf());
    rowOf.put(id, row);
    current = new Snapshot(ids, v, c, sem, rowOf);
  }

  public int size() {
    return current.size();
  }
}
