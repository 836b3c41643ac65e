package dev.crane.trainer.report;

import dev.crane.trainer.eval.RankingMetrics;
import dev.crane.trainer.train.TrainResult;
import java.util.Map;

/** The end-of-run table: best epoch, stop reason, timing, valid and test metrics at every K. */
public final class SummaryTable {
  private SummaryTable() {}

  public static String render(String model, String dataset, TrainResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%n%s on %s: best epoch %d of %d (%s), %.2f s/epoch, %.1f s total%n",
        model, dataset, r.bestEpoch(), r.history().size(), r.stopReason(), r.secondsPerEpoch(), r.totalSeconds()));
    String line = "+-------+----------+-----------+----------+-----------+----------+-----------+----------+-----------+\n";
    sb.append(line);
    sb.append(String.format("| %-5s | %-8s | %-9s | %-8s | %-9s | %-8s | %-9s | %-8s | %-9s |%n",
        "K", "Recall v", "Recall t", "NDCG v", "NDCG t", "Prec v", "Prec t", "MAP v", "MAP t"));
    sb.append(line);
    for (int k : RankingMetrics.KS) {
      sb.append(String.format("| %-5d | %8.4f | %9.4f | %8.4f | %9.4f | %8.4f | %9.4f | %8.4f | %9.4f |%n", k,
          get(r.bestValid(), "recall", k), get(r.bestTest(), "recall", k),
          get(r.bestValid(), "ndcg", k), get(r.bestTest(), "ndcg", k),
          get(r.bestValid(), "precision", k), get(r.bestTest(), "precision", k),
          get(r.bestValid(), "map", k), get(r.bestTest(), "map", k)));
    }
    sb.append(line);
    sb.append("v = validation, t = test at the best validation epoch (never selected on test)\n");
    return sb.toString();
  }

  private static double get(Map<String, Double> m, String metric, int k) {
    Double v = m == null ? null : m.get(metric + "@" + k);
    return v == null ? Double.NaN : v;
  }
}
