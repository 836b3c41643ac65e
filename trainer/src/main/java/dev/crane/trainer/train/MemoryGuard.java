package dev.crane.trainer.train;

import dev.crane.trainer.config.AttentionAxis;
import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainConfig;
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
    long dim = c.embeddingDim();
    long featDims = d.features().stream().mapToLong(f -> f.dim()).sum();
    long params = (u + i) * dim;
    long activations = n * dim * (c.uiLayers() + 1) * 3L;
    long eval = Math.min(dev.crane.trainer.eval.Evaluator.batchFor(c.evalUserBatch(), (int) i), u) * i * 2L;
    switch (c.model()) {
      case FREEDOM, CRANE_REF -> {
        params += featDims * i + featDims * dim; // trainable raw features (§8 B2) and projections
        activations += i * dim * 6L * d.features().size();
        activations += itemsAxisAttentionBytes(c, d) / 4;
      }
      case CRANE -> {
        // raw features are frozen (stored once; users are summed through the sparse interaction
        // matrix, no U x D sums); projections trainable; the item graph keeps its neighbour lists and their
        // reverse (six int64 per entry) and one cosine per entry, and gathers no neighbour rows
        params += featDims * dim + 16L * dim * dim * c.attentionRounds();
        activations += featDims * i / 4 + n * dim * 12L * c.attentionRounds() + i * (long) c.knnK() * 13L;
      }
      default -> { }
    }
    return 4L * (params * 4L + activations + eval);
  }

  /** Autograd copies of the I x I attention tensors alive at once: softmax output, its gradient, score gradient, slack. */
  static final int ATTENTION_COPIES = 4;

  /**
   * crane-spec.md §7.1: the items-axis attention holds H·M·I² floats per copy (8·I² for 4 heads and
   * 2 modalities), {@value #ATTENTION_COPIES} copies during backward; 0 for other models and axes.
   */
  public static long itemsAxisAttentionBytes(TrainConfig c, TrainingData d) {
    int m = d.features().size();
    if (c.model() != Model.CRANE_REF || m < 2 || c.attentionAxis() != AttentionAxis.ITEMS) {
      return 0;
    }
    long i = d.numItems();
    return 4L * ATTENTION_COPIES * c.attentionHeads() * m * i * i;
  }

  public static long defaultBudget() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return (long) (os.getTotalMemorySize() * 0.8);
  }

  /** @throws IllegalArgumentException naming the estimate and the budget when it does not fit */
  public static void check(TrainConfig c, TrainingData d) {
    long budget = c.memoryBudgetBytes() > 0 ? c.memoryBudgetBytes() : defaultBudget();
    long need = estimateBytes(c, d);
    if (need > budget) {
      long att = itemsAxisAttentionBytes(c, d);
      String hint = att == 0 ? "" : String.format(" Of that, the items-axis attention takes %s (%d heads x %d"
          + " modalities x I^2 = %,d floats per copy, %d copies for autograd; crane-spec.md §7.1): it is quadratic in"
          + " the catalog; use --attention-axis modalities.", human(att), c.attentionHeads(), d.features().size(),
          (long) c.attentionHeads() * d.features().size() * d.numItems() * d.numItems(), ATTENTION_COPIES);
      throw new IllegalArgumentException(String.format(
          "model %s on %s (%d users, %d items) needs an estimated %s of dense tensors, more than the %s budget.%s",
          c.model(), d.name(), d.numUsers(), d.numItems(), human(need), human(budget), hint));
    }
  }

  /** 1.6 GB, 205 kB, ... (decimal units). */
  static String human(long bytes) {
    if (bytes >= 1e9) return String.format("%.1f GB", bytes / 1e9);
    if (bytes >= 1e6) return String.format("%.1f MB", bytes / 1e6);
    return String.format("%.0f kB", bytes / 1e3);
  }
}
