package dev.crane.api.serving;

import dev.crane.api.coldstart.ColdItems;
import dev.crane.api.foldin.FoldIn;
import dev.crane.api.foldin.UserState;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.model.VersionData;
import dev.crane.api.model.VersionInfo;
import dev.crane.api.topk.ItemIndex;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A version as served: its immutable tables and index, plus what changed since it was loaded: the
 * users' folded-in vectors and the cold-start items placed into it. Everything a reply uses comes
 * from one LiveVersion, so a reply never mixes versions.
 */
public final class LiveVersion {
  private final VersionData data;
  private final ItemIndex index;
  private final int[] popularRows;
  private final float[] itemInverseNorms;
  private final long loadedAtMs;
  private final ConcurrentHashMap<String, UserState> folded = new ConcurrentHashMap<>();
  private final ColdItems cold;

  LiveVersion(VersionData data, ItemIndex index, long loadedAtMs) {
    this.data = data;
    this.index = index;
    this.loadedAtMs = loadedAtMs;
    this.popularRows = byDegree(data.items());
    this.itemInverseNorms = inverseNorms(data.items());
    this.cold = new ColdItems(data.items().dim(), data.items().hasSemantic());
  }

  /** Item rows by training degree, highest first (ties: lower row): the fallback's order. */
  private static int[] byDegree(EmbeddingTable items) {
    int[] degrees = items.degrees();
    return java.util.stream.IntStream.range(0, items.size()).boxed()
        .sorted((a, b) -> degrees[a] != degrees[b] ? Integer.compare(degrees[b], degrees[a]) : Integer.compare(a, b))
        .mapToInt(Integer::intValue).toArray();
  }

  private static float[] inverseNorms(EmbeddingTable items) {
    int d = items.dim();
    float[] inv = new float[items.size()];
    for (int r = 0; r < inv.length; r++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        float v = items.vectors()[r * d + j];
        s += (double) v * v;
      }
      inv[r] = s > 0 ? (float) (1 / Math.sqrt(s)) : 0f;
    }
    return inv;
  }

  public long version() {
    return data.info().version();
  }

  public VersionInfo info() {
    return data.info();
  }

  public EmbeddingTable users() {
    return data.users();
  }

  public EmbeddingTable items() {
    return data.items();
  }

  public ItemIndex index() {
    return index;
  }

  public int[] popularRows() {
    return popularRows;
  }

  float[] itemInverseNorms() {
    return itemInverseNorms;
  }

  public long loadedAtMs() {
    return loadedAtMs;
  }

  public ColdItems cold() {
    return cold;
  }

  public int foldedUsers() {
    return folded.size();
  }

  /** The user's vector and whether it includes folded-in items, or null for a user this version cannot score. */
  public UserVector userVector(String user) {
    UserState s = folded.get(user);
    if (s != null) {
      return new UserVector(s.vector(), true);
    }
    int row = data.users().row(user);
    return row < 0 ? null : new UserVector(data.users().vector(row), false);
  }

  /** A user's scoring vector. */
  public record UserVector(float[] vector, boolean foldedIn) {}

  /** Why a fold did not happen, or null when it did. */
  String fold(String user, String item) {
    float[] c;
    float[] s;
    int degree;
    EmbeddingTable items = data.items();
    int row = items.row(item);
    if (row >= 0) {
      c = items.collaborativePart(row);
      s = items.semanticPart(row);
      degree = items.degrees()[row];
    } else {
      ColdItems.Snapshot snap = cold.snapshot();
      int cr = snap.row(item);
      if (cr < 0) {
        return "unknown-item";
      }
      int d = items.dim();
      c = Arrays.copyOfRange(snap.collaborative(), cr * d, (cr + 1) * d);
      s = snap.semantic() == null ? null : Arrays.copyOfRange(snap.semantic(), cr * d, (cr + 1) * d);
      degree = 0;
    }
    folded.compute(user, (u, state) -> FoldIn.apply(state != null ? state : baseState(u), c, s, degree));
    return null;
  }

  private UserState baseState(String user) {
    EmbeddingTable users = data.users();
    int row = users.row(user);
    if (row < 0) {
      return UserState.unknown(users.dim(), users.hasSemantic());
    }
    return new UserState(users.collaborativePart(row), users.semanticPart(row), users.degrees()[row],
        users.vector(row), 0);
  }

  Map<String, UserState> foldedStates() {
    return folded;
  }
}
