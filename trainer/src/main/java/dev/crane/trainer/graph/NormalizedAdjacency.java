package dev.crane.trainer.graph;

/**
 * The symmetric normalised user-item adjacency Â over N = U + I nodes, users first and item i at
 * node U + i (crane-spec.md §2.2a): Â[u, U+i] = Â[U+i, u] = (d_u + 1e-7)^-1/2 (d_i + 1e-7)^-1/2,
 * no self-loops, degrees counted over the given (distinct) edges.
 */
public final class NormalizedAdjacency {
  static final double EPS = 1e-7;

  private NormalizedAdjacency() {}

  /** Â over the given edges, with degrees recomputed on exactly these edges (§2.3 step 2). */
  public static SparseMatrix of(int numUsers, int numItems, int[] edgeUsers, int[] edgeItems) {
    int[] du = new int[numUsers];
    int[] di = new int[numItems];
    for (int e = 0; e < edgeUsers.length; e++) {
      du[edgeUsers[e]]++;
      di[edgeItems[e]]++;
    }
    int m = edgeUsers.length;
    long[] r = new long[2 * m];
    long[] c = new long[2 * m];
    float[] v = new float[2 * m];
    for (int e = 0; e < m; e++) {
      int u = edgeUsers[e];
      int i = edgeItems[e];
      float w = (float) (Math.pow(du[u] + EPS, -0.5) * Math.pow(di[i] + EPS, -0.5));
      r[e] = u;
      c[e] = numUsers + i;
      v[e] = w;
      r[m + e] = numUsers + i;
      c[m + e] = u;
      v[m + e] = w;
    }
    int n = numUsers + numItems;
    return new SparseMatrix(n, n, r, c, v);
  }

  /** w_e = (d_u + 1e-7)^-1/2 (d_i + 1e-7)^-1/2 on the full training graph (§2.2b). */
  public static double[] edgeWeights(int[] userDegree, int[] itemDegree, int[] edgeUsers, int[] edgeItems) {
    double[] w = new double[edgeUsers.length];
    for (int e = 0; e < w.length; e++) {
      w[e] = Math.pow(userDegree[edgeUsers[e]] + EPS, -0.5) * Math.pow(itemDegree[edgeItems[e]] + EPS, -0.5);
    }
    return w;
  }
}
