package dev.crane.trainer.config;

import static dev.crane.trainer.config.Setting.Rule.above;
import static dev.crane.trainer.config.Setting.Rule.any;
import static dev.crane.trainer.config.Setting.Rule.atLeast;
import static dev.crane.trainer.config.Setting.Rule.closed;
import static dev.crane.trainer.config.Setting.Rule.halfOpen;

import dev.crane.trainer.config.Setting.Type;
import dev.crane.trainer.config.TrainConfig.Builder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The table of every training setting: name, type, default, rule and documentation, in the order of
 * the JSON files. The names are those of {@code trainer train --set}, {@code bench-steps --set}, the
 * service's {@code train.<name>} keys and the checkpoint and metrics JSON; they must not change, or
 * old checkpoints and scripts stop working. Defaults are MMRec's overall.yaml (crane-spec.md §4, §5);
 * {@link TrainConfig#builder(Model)} applies the per-model ones.
 */
public final class TrainSettings {
  private TrainSettings() {}

  public static final List<Setting<?>> ALL = List.of(
      new Setting<>("model", Type.MODEL, Model.CRANE, any(), "the model trained",
          TrainConfig::model, Builder::model),
      new Setting<>("dataset", Type.STRING, "", any(), "the dataset's name; a run sets it from the data",
          TrainConfig::dataset, Builder::dataset),
      new Setting<>("seed", Type.LONG, 999L, any(), "RNG seed for initialisation, batches, negatives and pruning",
          TrainConfig::seed, Builder::seed),
      new Setting<>("epochs", Type.INT, 1000, atLeast(1), "most epochs (early stopping usually ends sooner)",
          TrainConfig::epochs, Builder::epochs),
      new Setting<>("patience", Type.INT, 20, atLeast(0),
          "stop after this many evaluations without strict improvement of rounded valid Recall@20 (§5.2.7)",
          TrainConfig::patience, Builder::patience),
      new Setting<>("batchSize", Type.INT, 2048, atLeast(1), "training triples per step",
          TrainConfig::batchSize, Builder::batchSize),
      new Setting<>("learningRate", Type.FLOAT, 1e-3f, above(0), "Adam learning rate",
          TrainConfig::learningRate, Builder::learningRate),
      new Setting<>("embeddingDim", Type.INT, 64, atLeast(1), "embedding width",
          TrainConfig::embeddingDim, Builder::embeddingDim),
      new Setting<>("uiLayers", Type.INT, 2, atLeast(0), "user-item GCN layers",
          TrainConfig::uiLayers, Builder::uiLayers),
      new Setting<>("mmLayers", Type.INT, 1, atLeast(0), "item-item graph layers",
          TrainConfig::mmLayers, Builder::mmLayers),
      new Setting<>("regWeight", Type.FLOAT, 1e-4f, atLeast(0),
          "BPR-MF/LightGCN: weight of MMRec's EmbLoss; FREEDOM: weight of the modality BPR terms",
          TrainConfig::regWeight, Builder::regWeight),
      new Setting<>("dropRatio", Type.FLOAT, 0.8f, halfOpen(0, 1), "edge-pruning ratio rho (§2.3); 0 disables pruning",
          TrainConfig::dropRatio, Builder::dropRatio),
      new Setting<>("knnK", Type.INT, 10, atLeast(1), "neighbours per item in the item-item kNN graph",
          TrainConfig::knnK, Builder::knnK),
      new Setting<>("mmImageWeight", Type.FLOAT, 0.1f, closed(0, 1),
          "weight of the first modality in the mixed kNN graph (§2.2c); the rest share 1 - w",
          TrainConfig::mmImageWeight, Builder::mmImageWeight),
      new Setting<>("evalUserBatch", Type.INT, 4096, atLeast(1), "users scored per evaluation batch",
          TrainConfig::evalUserBatch, Builder::evalUserBatch),
      new Setting<>("maxSeconds", Type.FLOAT, 0f, atLeast(0),
          "time budget in seconds (0 = no limit): training stops after an epoch when one more epoch and"
              + " evaluation would pass it",
          TrainConfig::maxSeconds, Builder::maxSeconds),
      new Setting<>("maxBatches", Type.INT, 0, atLeast(0),
          "train at most this many batches per epoch (0 = all): for cost measurements only",
          TrainConfig::maxBatches, Builder::maxBatches),
      new Setting<>("trimEvery", Type.INT, 50, atLeast(0),
          "release freed native memory to the OS every this many batches and after each evaluation (0 = never)",
          TrainConfig::trimEvery, Builder::trimEvery),
      new Setting<>("forceCpu", Type.BOOLEAN, false, any(), "stay on the CPU even when a GPU is found",
          TrainConfig::forceCpu, Builder::forceCpu),
      new Setting<>("warmOptimizer", Type.BOOLEAN, true, any(),
          "a fine-tune from a checkpoint holding Adam's moments continues from them (new rows' at zero)",
          TrainConfig::warmOptimizer, Builder::warmOptimizer),
      new Setting<>("memoryBudgetBytes", Type.LONG, 0L, atLeast(0),
          "refuse configurations whose dense tensors exceed this many bytes (0 = 80 % of physical memory)",
          TrainConfig::memoryBudgetBytes, Builder::memoryBudgetBytes),
      new Setting<>("attentionRounds", Type.INT, 3, atLeast(1), "crane: recursive attention rounds t",
          TrainConfig::attentionRounds, Builder::attentionRounds),
      new Setting<>("tau", Type.FLOAT, 0.6f, above(0), "crane: contrastive temperature",
          TrainConfig::tau, Builder::tau),
      new Setting<>("lambdaCl", Type.FLOAT, 0.8f, atLeast(0), "crane: weight of the contrastive loss",
          TrainConfig::lambdaCl, Builder::lambdaCl),
      new Setting<>("lambdaReg", Type.FLOAT, 1e-3f, atLeast(0), "crane: L2 weight",
          TrainConfig::lambdaReg, Builder::lambdaReg),
      new Setting<>("noItemGraph", Type.BOOLEAN, false, any(), "crane ablation (Table 5): no item-item graph",
          TrainConfig::noItemGraph, Builder::noItemGraph),
      new Setting<>("noRecursion", Type.BOOLEAN, false, any(), "crane ablation (Table 5): one attention round (t = 1)",
          TrainConfig::noRecursion, Builder::noRecursion),
      new Setting<>("noAttention", Type.BOOLEAN, false, any(), "crane ablation (Table 5): modalities concatenated, no attention",
          TrainConfig::noAttention, Builder::noAttention),
      new Setting<>("noGcn", Type.BOOLEAN, false, any(), "crane ablation (Table 5): no GCN layers in either graph",
          TrainConfig::noGcn, Builder::noGcn),
      new Setting<>("noContrastive", Type.BOOLEAN, false, any(), "crane ablation (Table 5): no contrastive loss (lambda_cl = 0)",
          TrainConfig::noContrastive, Builder::noContrastive),
      new Setting<>("attentionAxis", Type.AXIS, AttentionAxis.ITEMS, any(),
          "crane-ref: items (faithful, quadratic in the catalog) or modalities (per-item cross-modal)",
          TrainConfig::attentionAxis, Builder::attentionAxis),
      new Setting<>("attentionHeads", Type.INT, 4, atLeast(1),
          "crane-ref: heads of the multi-head attention (§2.1: 4, head dim 16); must divide embeddingDim",
          TrainConfig::attentionHeads, Builder::attentionHeads),
      // added since the table replaced the public fields: last, so the JSON keeps the old keys' order first
      new Setting<>("trimMinFreeMb", Type.INT, 1024, atLeast(0),
          "trim only when at least this many MB of the native heap are free (0 = always): a smaller release"
              + " costs the next steps more in page faults than it saves",
          TrainConfig::trimMinFreeMb, Builder::trimMinFreeMb));

  private static final Map<String, Setting<?>> BY_NAME = new LinkedHashMap<>();

  static {
    for (Setting<?> s : ALL) {
      BY_NAME.put(s.name(), s);
    }
  }

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * The setting of that exact name.
   *
   * @throws IllegalArgumentException for an unknown name, with the close names and every valid one
   */
  public static Setting<?> get(String name) {
    Setting<?> s = BY_NAME.get(name);
    if (s == null) {
      List<String> close = closeNames(name);
      throw new IllegalArgumentException("unknown setting '" + name + "'"
          + (close.isEmpty() ? "." : "; did you mean " + String.join(" or ", close) + "?")
          + " Valid settings: " + String.join(", ", BY_NAME.keySet()));
    }
    return s;
  }

  /**
   * The name of the setting {@code name} names regardless of case: an environment variable
   * (CRANE_TRAINER_TRAIN_LEARNINGRATE) cannot carry camel case.
   */
  public static Optional<String> nameIgnoringCase(String name) {
    return BY_NAME.keySet().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst();
  }

  /** One line per setting for --help. */
  public static List<String> describe() {
    return ALL.stream().map(Setting::describe).toList();
  }

  /** Names equal ignoring case, containing or contained in {@code name}, or at most two edits away. */
  static List<String> closeNames(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    for (String k : BY_NAME.keySet()) {
      String kl = k.toLowerCase(Locale.ROOT);
      boolean close = n.length() >= 3 && (kl.contains(n) || n.contains(kl));
      if (close || editDistance(n, kl) <= 2) {
        out.add(k);
      }
    }
    return out;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
