package dev.crane.api.foldin;

/**
 * The fold-in rule of schemas/EMBEDDINGS.md for one new interaction (user u, item j), with n = u's
 * degree and d_j = max(1, j's degree):
 *
 * <ul>
 *   <li>c ← c·√(n/(n+1)) + collaborative_j / √((n+1)·d_j): one LightGCN propagation step from
 *       the items, rescaled for the new degree (for bpr the same rule on the free embeddings);
 *   <li>s ← (n·s + semantic_j)/(n+1) when the version's users have a semantic part (Eq. 16's
 *       running mean);
 *   <li>n ← n+1, vector = c + s.
 * </ul>
 *
 * Both updates are order-independent (after m folds c = c₀√(n/(n+m)) + Σ x_j/√((n+m)d_j)), which
 * lets a restart or a new version fold a user's new items in any order.
 */
public final class FoldIn {
  private FoldIn() {}

  /**
   * @param itemSemantic the item's semantic part, or null when the item has none (counts as zero)
   */
  public static UserState apply(UserState u, float[] itemCollaborative, float[] itemSemantic, int itemDegree) {
    int dim = u.collaborative().length;
    if (itemCollaborative.length != dim || (itemSemantic != null && itemSemantic.length != dim)) {
      throw new IllegalArgumentException("item parts of width " + itemCollaborative.length
          + " cannot fold into a user of width " + dim);
    }
    int n = u.degree();
    double dj = Math.max(1, itemDegree);
    double keep = Math.sqrt((double) n / (n + 1));
    double add = 1.0 / Math.sqrt((n + 1) * dj);
    float[] c = new float[dim];
    for (int i = 0; i < dim; i++) {
      c[i] = (float) (u.collaborative()[i] * keep + itemCollaborative[i] * add);
    }
    float[] s = null;
    if (u.semantic() != null) {
      s = new float[dim];
      for (int i = 0; i < dim; i++) {
        double sj = itemSemantic == null ? 0 : itemSemantic[i];
        s[i] = (float) ((n * (double) u.semantic()[i] + sj) / (n + 1));
      }
    }
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = c[i] + (s == null ? 0 : s[i]);
    }
    return new UserState(c, s, n + 1, v, u.folded() + 1);
  }
}
