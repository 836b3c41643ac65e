package dev.crane.api.serving;

import dev.crane.api.coldstart.ColdItems;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.model.EmbeddingTable;
import dev.crane.api.seen.SeenItems;
import dev.crane.api.topk.Hits;
import dev.crane.api.topk.ScoreKernel;
import dev.crane.api.topk.ThreadBuffer;
import dev.crane.api.topk.TopKHeap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The three queries, transport-agnostic: validation, the choice of version, scoring, seen-item
 * exclusion, the fallback. Every reply names the one version that computed it.
 */
public final class Recommendations {
  /** One scored item of a reply. */
  public record Scored(String itemId, float score, boolean coldStart) {}

  /** A Recommend reply. {@code index} is "exact", "hnsw" or "popular" (the fallback). */
  public record Recommendation(long version, List<Scored> items, boolean fallback, boolean foldedIn, String index) {}

  /** A SimilarItems reply. */
  public record Similar(long version, List<Scored> items, boolean queryIsColdStart) {}

  private static final ThreadBuffer BUFFER = new ThreadBuffer();

  private final ServingState state;
  private final ScoreKernel kernel;
  private final int maxK;
  private final ApiMetrics metrics;

  public Recommendations(ServingState state, ScoreKernel kernel, int maxK, ApiMetrics metrics) {
    this.state = state;
    this.kernel = kernel;
    this.maxK = maxK;
    this.metrics = metrics;
  }

  public int maxK() {
    return maxK;
  }

  /**
   * Top-k items for a user. A user the version cannot score (unknown, and no foldable interaction
   * yet) gets the most popular items by training degree, flagged as the fallback.
   */
  public Recommendation recommend(String userId, int k, boolean excludeSeen, Long pinnedVersion) {
    requireId("user_id", userId);
    requireK(k);
    LiveVersion v = state.resolve(pinnedVersion);
    SeenItems.History history = excludeSeen ? state.seen().history(userId) : SeenItems.History.EMPTY;
    EmbeddingTable items = v.items();
    ColdItems.Snapshot cold = v.cold().snapshot();
    LiveVersion.UserVector user = v.userVector(userId);
    if (user == null) {
      metrics.fallback();
      return new Recommendation(v.version(), popular(v, k, history), true, false, "popular");
    }
    int[] excluded = excludedRows(items, history);
    Hits base = v.index().search(user.vector(), k, excluded);
    List<Scored> merged = merge(items, base, cold, scoreCold(cold, user.vector(), history), k);
    return new Recommendation(v.version(), merged, false, user.foldedIn(), v.index().kind());
  }

  /** Items most similar to an item by cosine of the served vectors (exact), the item itself left out. */
  public Similar similar(String itemId, int k, Long pinnedVersion) {
    requireId("item_id", itemId);
    requireK(k);
    LiveVersion v = state.resolve(pinnedVersion);
    EmbeddingTable items = v.items();
    ColdItems.Snapshot cold = v.cold().snapshot();
    int d = items.dim();
    float[] q;
    boolean queryCold;
    int baseRow = items.row(itemId);
    int coldRow = -1;
    if (baseRow >= 0) {
      q = items.vector(baseRow);
      queryCold = false;
    } else {
      coldRow = cold.row(itemId);
      if (coldRow < 0) {
        throw new ApiException(ApiException.Kind.NOT_FOUND, "item '" + itemId + "' is not in model version "
            + v.version() + " and has not been placed as a cold-start item");
      }
      q = Arrays.copyOfRange(cold.vectors(), coldRow * d, (coldRow + 1) * d);
      queryCold = true;
    }
    float[] scores = BUFFER.get(v.index().scoreBufferSize());
    v.index().scoreAll(q, scores);
    float[] inv = v.itemInverseNorms();
    TopKHeap heap = new TopKHeap(Math.min(k, items.size() + cold.size()));
    for (int r = 0; r < items.size(); r++) {
      float s = scores[r] * inv[r];
      if (r != baseRow && s > heap.threshold()) {
        heap.offer(r, s);
      }
    }
    for (int c = 0; c < cold.size(); c++) {
      float dot = kernel.dot(cold.vectors(), c, q);
      float norm = norm(cold.vectors(), c, d);
      float s = norm > 0 ? dot / norm : 0f;
      if (c != coldRow && s > heap.threshold()) {
        heap.offer(items.size() + c, s);
      }
    }
    float qn = norm(q, 0, d);
    Hits h = heap.drain();
    List<Scored> out = new ArrayList<>(h.size());
    for (int i = 0; i < h.size(); i++) {
      int r = h.rows()[i];
      float cos = qn > 0 ? h.scores()[i] / qn : 0f;
      out.add(r < items.size() ? new Scored(items.id(r), cos, false)
          : new Scored(cold.ids()[r - items.size()], cos, true));
    }
    return new Similar(v.version(), out, queryCold);
  }

  /** The version in service, or a pinned one. */
  public LiveVersion version(Long pinnedVersion) {
    return state.resolve(pinnedVersion);
  }

  public List<Long> availableVersions() {
    return state.available();
  }

  private List<Scored> popular(LiveVersion v, int k, SeenItems.History history) {
    List<Scored> out = new ArrayList<>(k);
    EmbeddingTable items = v.items();
    for (int r : v.popularRows()) {
      if (out.size() == k) {
        break;
      }
      String id = items.id(r);
      if (!history.contains(id)) {
        out.add(new Scored(id, items.degrees()[r], false));
      }
    }
    return out;
  }

  private static int[] excludedRows(EmbeddingTable items, SeenItems.History history) {
    if (history.size() == 0) {
      return new int[0];
    }
    int[] rows = new int[history.size()];
    int n = 0;
    for (String item : history.firstOffsets().keySet()) {
      int r = items.row(item);
      if (r >= 0) {
        rows[n++] = r;
      }
    }
    rows = Arrays.copyOf(rows, n);
    Arrays.sort(rows);
    return rows;
  }

  /** Cold items are few: scored exactly, seen ones left out. */
  private Hits scoreCold(ColdItems.Snapshot cold, float[] q, SeenItems.History history) {
    if (cold.size() == 0) {
      return Hits.EMPTY;
    }
    float[] scores = new float[cold.size()];
    kernel.scores(cold.vectors(), q, 0, cold.size(), scores);
    TopKHeap heap = new TopKHeap(cold.size());
    for (int c = 0; c < cold.size(); c++) {
      if (!history.contains(cold.ids()[c])) {
        heap.offer(c, scores[c]);
      }
    }
    return heap.drain();
  }

  private static List<Scored> merge(EmbeddingTable items, Hits base, ColdItems.Snapshot cold, Hits coldHits, int k) {
    List<Scored> out = new ArrayList<>(Math.min(k, base.size() + coldHits.size()));
    int i = 0;
    int j = 0;
    while (out.size() < k && (i < base.size() || j < coldHits.size())) {
      boolean takeBase = j >= coldHits.size() || (i < base.size() && base.scores()[i] >= coldHits.scores()[j]);
      if (takeBase) {
        out.add(new Scored(items.id(base.rows()[i]), base.scores()[i], false));
        i++;
      } else {
        out.add(new Scored(cold.ids()[coldHits.rows()[j]], coldHits.scores()[j], true));
        j++;
      }
    }
    return out;
  }

  private void requireK(int k) {
    if (k <= 0 || k > maxK) {
      throw ApiException.invalid("k must be between 1 and " + maxK + ", got " + k);
    }
  }

  private static void requireId(String field, String id) {
    if (id == null || id.isBlank()) {
      throw ApiException.invalid(field + " must not be empty");
    }
  }

  private static float norm(float[] a, int row, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) {
      float x = a[row * d + j];
      s += (double) x * x;
    }
    return (float) Math.sqrt(s);
  }
}
