package dev.crane.trainer.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a training run. Defaults are MMRec's overall.yaml (crane-spec.md §4, §5);
 * {@link #forModel} applies the per-model defaults. Public fields so the checkpoint and metrics JSON
 * carry the exact configuration.
 */
public final class TrainConfig {
  public String model = "crane";
  public String dataset = "";
  public long seed = 999;
  public int epochs = 1000;
  /** Stop after this many evaluations without strict improvement of rounded valid Recall@20 (§5.2.7). */
  public int patience = 20;
  public int batchSize = 2048;
  public float learningRate = 1e-3f;
  public int embeddingDim = 64;
  public int uiLayers = 2;
  public int mmLayers = 1;
  /** BPR-MF/LightGCN: weight of MMRec's EmbLoss. FREEDOM: weight of the modality BPR terms. */
  public float regWeight = 1e-4f;
  /** Edge-pruning ratio ρ (§2.3); 0 disables pruning. */
  public float dropRatio = 0.8f;
  public int knnK = 10;
  /** Weight of the first modality in the mixed kNN graph (§2.2c); the rest share 1 - w. */
  public float mmImageWeight = 0.1f;
  public int evalUserBatch = 4096;
  /**
   * A run's time budget in seconds (0 = no limit), e.g. a fine-tune's: training stops after an epoch
   * when one more epoch as long as it, plus one more evaluation, would pass the budget.
   */
  public float maxSeconds = 0;
  /** Train at most this many batches per epoch (0 = all): for cost measurements on large data only. */
  public int maxBatches = 0;
  /** Release freed native memory to the OS every this many batches and after each evaluation (0 = never). */
  public int trimEvery = 50;
  public boolean forceCpu = false;
  /**
   * A fine-tune from a checkpoint that holds Adam's moments continues from them (new rows' at zero)
   * instead of a fresh optimizer; no effect on a training from scratch.
   */
  public boolean warmOptimizer = true;
  /** Refuse configurations whose dense tensors exceed this many bytes; 0 = 80 % of physical memory. */
  public long memoryBudgetBytes = 0;

  // CRANE paper mode (§3), Table 3 values are applied per dataset by the CLI.
  public int attentionRounds = 3;
  public float tau = 0.6f;
  public float lambdaCl = 0.8f;
  public float lambdaReg = 1e-3f;
  public boolean noItemGraph = false;
  public boolean noRecursion = false;
  public boolean noAttention = false;
  public boolean noGcn = false;
  public boolean noContrastive = false;
  /** CRANE reference mode: ITEMS (faithful, quadratic) or MODALITIES (per-item cross-modal). */
  public String attentionAxis = "ITEMS";
  /** CRANE reference mode: heads of the multi-head attention (§2.1: 4, head dim 16). */
  public int attentionHeads = 4;

  /** Applies per-model defaults; explicit overrides are applied afterwards by the caller. */
  public static TrainConfig forModel(String model) {
    TrainConfig c = new TrainConfig();
    c.model = model;
    switch (model) {
      case "bpr", "lightgcn" -> c.dropRatio = 0f;
      case "freedom", "crane-ref" -> {
        c.dropRatio = 0.8f;
        c.regWeight = 0f;
      }
      case "crane" -> {
        // paper Table 3 (Baby column) as the generic default
        c.batchSize = 1024;
        c.learningRate = 1e-4f;
        c.patience = 5;
        c.epochs = 250;
        c.knnK = 15;
      }
      default -> throw new IllegalArgumentException(
          "unknown model '" + model + "'; expected one of crane, crane-ref, freedom, lightgcn, bpr");
    }
    return c;
  }

  /** Human-readable problems; empty when the configuration is usable. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (epochs < 1) p.add("epochs must be >= 1");
    if (patience < 0) p.add("patience must be >= 0");
    if (batchSize < 1) p.add("batch size must be >= 1");
    if (!(learningRate > 0)) p.add("learning rate must be > 0");
    if (embeddingDim < 1) p.add("embedding dim must be >= 1");
    if (uiLayers < 0 || mmLayers < 0) p.add("layer counts must be >= 0");
    if (!(dropRatio >= 0 && dropRatio < 1)) p.add("drop ratio must be in [0, 1)");
    if (knnK < 1) p.add("knn k must be >= 1");
    if (!(mmImageWeight >= 0 && mmImageWeight <= 1)) p.add("mm image weight must be in [0, 1]");
    if (evalUserBatch < 1) p.add("eval user batch must be >= 1");
    if (maxBatches < 0) p.add("max batches must be >= 0 (0 = all)");
    if (!(maxSeconds >= 0)) p.add("maxSeconds must be >= 0 (0 = no limit)");
    if (trimEvery < 0) p.add("trimEvery must be >= 0 (0 = never)");
    if (attentionRounds < 1) p.add("attention rounds must be >= 1");
    if (!(tau > 0)) p.add("tau must be > 0");
    try {
      AttentionAxis.parse(attentionAxis);
    } catch (IllegalArgumentException e) {
      p.add(e.getMessage());
    }
    if (model.equals("crane-ref") && (attentionHeads < 1 || embeddingDim % attentionHeads != 0)) {
      p.add("embedding dim " + embeddingDim + " must be divisible by the " + attentionHeads + " attention heads");
    }
    return p;
  }
}
