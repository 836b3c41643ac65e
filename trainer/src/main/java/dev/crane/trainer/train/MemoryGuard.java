package dev.crane.trainer.train;

import dev.crane.trainer.data.TrainingData;
import java.lang.management.ManagementFactory;

/**
 * Refuses, before training starts, any configuration whose dense tensors would not fit. Estimates
 * count parameters four times (value, gradient, Adam m and v), the per-step activations, and the
 * evaluation scoring block (crane-spec.md §7).
 */
public final class MemoryGuard {
  private MemoryGuard() {}

  /** Bytes of the largest simultaneous dense working set of one training step or evaluation. */
  public static long estimateBytes(TrainConfig c, TrainingData d) {
    long u = d.numUsers();
    long i = d.numItems();
    long n = u + i;
    long dim = c.embeddingDim;
    long featDims = d.features().stream().mapToLong(f -> f.dim()).sum();
    long params = (u + i) * dim;
    long activations = n * dim * (c.uiLayers + 1) * 3L;
    long eval = Math.min(c.evalUserBatch, u) * i * 2L;
    switch (c.model) {
      case "freedom", "crane-ref" -> {
        params += featDims * i + featDims * dim; // trainable raw features (§8 B2) and projections
        activations += i * dim * 6L * d.features().size();
        if (c.model.equals("crane-ref") && c.attentionAxis.equals("ITEMS")) {
          // §7.1: 4 heads x modalities I x I scores, softmax kept for backward, gradients: ~4 copies
          activations += 4L * d.features().size() * i * i * 4L;
        }
      }
      case "crane" -> {
        // raw features are frozen: stored once, per-user sums once, projections trainable
        params += featDims * dim + 16L * dim * dim * c.attentionRounds;
        activations += featDims * i / 4 + featDims * u / 4 + n * dim * 12L * c.attentionRounds
            + i * (long) c.knnK * 4L;
      }
      default -> { }
    }
    return 4L * (params * 4L + activations + eval);
  }

  public static long defaultBudget() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return (long) (os.getTotalMemorySize() * 0.8);
  }

  /** @throws IllegalArgumentException naming the estimate and the budget when it does not fit */
  public static void check(TrainConfig c, TrainingData d) {
    long budget = c.memoryBudgetBytes > 0 ? c.memoryBudgetBytes : defaultBudget();
    long need = estimateBytes(c, d);
    if (need > budget) {
      String hint = c.model.equals("crane-ref") && c.attentionAxis.equals("ITEMS")
          ? " The items-axis attention is quadratic in the catalog (crane-spec.md §7.1); use --set attentionAxis=MODALITIES."
          : "";
      throw new IllegalArgumentException(String.format(
          "model %s on %s (%d users, %d items) needs an estimated %.1f GB of dense tensors, more than the %.1f GB budget.%s",
          c.model, d.name(), d.numUsers(), d.numItems(), need / 1e9, budget / 1e9, hint));
    }
  }
}
