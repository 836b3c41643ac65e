package dev.crane.trainer.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulates MMRec's top-K metrics over evaluated users (crane-spec.md §6). For user u with target
 * set T_u and hits h_r at ranks r = 1..K: Recall = Σh/|T_u|; NDCG = DCG/IDCG with IDCG over
 * min(|T_u|, K) ranks; Precision = Σh/K; MAP = Σ h_r Prec@r / min(|T_u|, K). Means over users are
 * rounded to 4 decimals, as MMRec reports them and as early stopping compares them.
 */
public final class RankingMetrics {
  public static final int[] KS = {5, 10, 20, 50};
  public static final int MAX_K = 50;

  private final double[] recall = new double[KS.length];
  private final double[] ndcg = new double[KS.length];
  private final double[] precision = new double[KS.length];
  private final double[] map = new double[KS.length];
  private int users;

  /**
   * Adds one user.
   *
   * @param ranked item indices best first (at least MAX_K of them unless the catalog is smaller)
   * @param targets the user's target items, sorted ascending and distinct
   */
  public void add(long[] ranked, int[] targets) {
    if (targets.length == 0) {
      throw new IllegalArgumentException("a user without targets is not evaluated");
    }
    int depth = Math.min(MAX_K, ranked.length);
    int hits = 0;
    double dcg = 0;
    double apSum = 0;
    int ki = 0;
    for (int r = 1; r <= MAX_K; r++) {
      if (r <= depth && Arrays.binarySearch(targets, (int) ranked[r - 1]) >= 0) {
        hits++;
        dcg += 1.0 / log2(r + 1);
        apSum += (double) hits / r;
      }
      if (ki < KS.length && r == KS[ki]) {
        int k = KS[ki];
        int idealLen = Math.min(targets.length, k);
        double idcg = 0;
        for (int q = 1; q <= idealLen; q++) {
          idcg += 1.0 / log2(q + 1);
        }
        recall[ki] += (double) hits / targets.length;
        ndcg[ki] += dcg / idcg;
        precision[ki] += (double) hits / k;
        map[ki] += apSum / idealLen;
        ki++;
      }
    }
    users++;
  }

  public int users() {
    return users;
  }

  /** "recall@20" etc. to the user mean rounded to 4 decimals (half-even on the exact double, as Python's round). */
  public Map<String, Double> result() {
    Map<String, Double> out = new LinkedHashMap<>();
    put(out, "recall", recall);
    put(out, "ndcg", ndcg);
    put(out, "precision", precision);
    put(out, "map", map);
    return out;
  }

  private void put(Map<String, Double> out, String name, double[] sums) {
    for (int k = 0; k < KS.length; k++) {
      out.put(name + "@" + KS[k], users == 0 ? 0.0 : round4(sums[k] / users));
    }
  }

  public static double round4(double x) {
    return new BigDecimal(x).setScale(4, RoundingMode.HALF_EVEN).doubleValue();
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
