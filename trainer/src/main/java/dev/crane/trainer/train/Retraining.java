package dev.crane.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Split;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.IdMapping;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.eval.Evaluator;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Recommender;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * One retraining of a served model on a new snapshot: the data is laid out on the serving model's
 * id mappings (old rows keep their meaning); the serving model, carried over to the new data by
 * {@link WarmStart} without training, is scored on the new holdout (the gate's baseline: what the
 * serving version computes for this data); then the candidate is fine-tuned from the serving model
 * ({@link Mode#WARM}) or trained from scratch ({@link Mode#FULL}: asked for, no serving model, or one
 * that cannot seed this configuration). The candidate keeps its best holdout epoch, its item graph
 * is refreshed for those parameters, and its metrics are those of exactly these vectors.
 */
public final class Retraining {
  /** How the candidate started. */
  public enum Mode { WARM, FULL }

  /**
   * @param baseline the serving model's holdout metrics on this data; empty without a serving model
   * @param valid the candidate's holdout metrics; {@code test} those on the test split, empty when the data has none
   * @param parameters the candidate's parameters (its best holdout epoch), for the checkpoint
   * @param warm what the warm start did (also for FULL: the baseline's)
   * @param optimizer Adam's state at the candidate's best epoch (null without one), for the checkpoint
   * @param warmOptimizer whether the fine-tune continued from the serving model's optimizer state
   */
  public record Outcome(TrainingData data, Recommender model, TrainConfig config, Mode mode, String why, TrainResult result,
      Map<String, Double> baseline, Map<String, Double> valid, Map<String, Double> test,
      Map<String, float[]> parameters, Optional<WarmStart.Report> warm, Adam.State optimizer, boolean warmOptimizer) {

    public double validRecall20() {
      return valid.getOrDefault("recall@20", Double.NaN);
    }

    public double baselineRecall20() {
      return baseline.getOrDefault("recall@20", Double.NaN);
    }
  }

  private Retraining() {}

  /**
   * @param fineTune the configuration of a warm start (its epochs and budget)
   * @param fromScratch the configuration of a training from scratch (the same model and widths)
   * @param serving the accepted model's checkpoint, or null
   * @param full train from scratch even when the serving model could seed the candidate
   * @param manager owns the candidate's tensors; the caller closes it when done with the outcome
   */
  public static Outcome run(MmrecDataset dataset, TrainConfig fineTune, TrainConfig fromScratch, Checkpoint serving,
      boolean full, NDManager manager, TrainingListener listener, BooleanSupplier stopRequested) {
    long t0 = System.nanoTime();
    TrainConfig config = fineTune;
    IdMapping users = IdMapping.empty();
    IdMapping items = IdMapping.empty();
    if (serving != null) {
      users = new IdMapping(serving.meta().userIds);
      items = new IdMapping(serving.meta().itemIds);
    }
    TrainingData data = TrainingData.from(dataset, users, items);
    config = config.toBuilder().dataset(data.name()).build();
    if (config.model().requiresFeatures() && data.features().isEmpty()) {
      throw new IllegalArgumentException("model " + config.model() + " needs item features but the data has none");
    }
    MemoryGuard.check(config, data);
    Evaluator evaluator = new Evaluator(data, config.evalUserBatch());
    Map<String, Double> baseline = Map.of();
    Optional<WarmStart.Report> warm = Optional.empty();
    if (serving != null) {
      try (NDManager sub = manager.newSubManager()) {
        Recommender old = ModelFactory.create(serving.meta().config, data, sub, new SplittableRandom(config.seed()));
        if (WarmStart.incompatibility(serving, old, data).isEmpty()) {
          warm = Optional.of(WarmStart.apply(serving, old, data));
          baseline = evaluate(old, evaluator, Split.VALID);
        }
      }
    }
    SplittableRandom rng = new SplittableRandom(config.seed());
    Recommender model = ModelFactory.create(config, data, manager, rng);
    Mode mode = Mode.FULL;
    String why;
    if (serving == null) {
      why = "no serving model";
    } else if (full) {
      why = "asked for";
    } else {
      Optional<String> no = WarmStart.incompatibility(serving, model, data);
      if (no.isPresent()) {
        why = no.get();
      } else {
        warm = Optional.of(WarmStart.apply(serving, model, data));
        mode = Mode.WARM;
        why = "from the serving model";
      }
    }
    TrainConfig chosen = mode == Mode.WARM ? fineTune : fromScratch;
    // the budget is the whole run's: the set-up (data, warm start, baseline) comes off it
    float budget = chosen.maxSeconds() > 0
        ? Math.max(1e-3f, chosen.maxSeconds() - (System.nanoTime() - t0) / 1e9f) : 0;
    TrainConfig used = chosen.toBuilder().dataset(data.name()).maxSeconds(budget).build();
    Trainer trainer = new Trainer(data, used, listener, stopRequested);
    // the serving model's moments, rows as its parameters' (old rows first, new ones from zero)
    Adam.State start = mode == Mode.WARM && used.warmOptimizer() ? serving.optimizer() : null;
    TrainResult result = trainer.fit(model, rng, start);
    Map<String, float[]> best = trainer.bestParameters();
    Map<String, Double> valid = Map.of();
    Map<String, Double> test = Map.of();
    if (!best.isEmpty()) {
      Autograd.noGrad(() -> model.parameters().all().forEach((name, p) -> dev.crane.trainer.engine.Tensors.assign(p, best.get(name))));
      valid = evaluate(model, evaluator, Split.VALID);
      test = data.evaluatedUsers(Split.TEST).length == 0 ? Map.of() : evaluate(model, evaluator, Split.TEST);
    }
    return new Outcome(data, model, used, mode, why, result, baseline, valid, test, best, warm, trainer.bestOptimizer(),
        start != null);
  }

  /**
   * The outcome with its metrics recomputed for the model's current parameters (after something
   * changed them; the parameters recorded for the checkpoint become the current ones too).
   */
  public static Outcome rescored(Outcome o) {
    Evaluator evaluator = new Evaluator(o.data(), o.config().evalUserBatch());
    Map<String, float[]> now = new LinkedHashMap<>();
    o.model().parameters().all().forEach((k, v) -> now.put(k, v.toFloatArray()));
    Map<String, Double> valid = evaluate(o.model(), evaluator, Split.VALID);
    Map<String, Double> test = o.test().isEmpty() ? Map.of() : evaluate(o.model(), evaluator, Split.TEST);
    return new Outcome(o.data(), o.model(), o.config(), o.mode(), o.why(), o.result(), o.baseline(), valid, test, now,
        o.warm(), o.optimizer(), o.warmOptimizer());
  }

  /**
   * Metrics of the model's current parameters, with what derives from them (the item graph's
   * neighbours) rebuilt first, as the published vectors are.
   */
  private static Map<String, Double> evaluate(Recommender model, Evaluator evaluator, Split split) {
    model.beforeEvaluation();
    Map<String, Double> out = new LinkedHashMap<>();
    try (NDScope scope = new NDScope()) {
      FinalEmbeddings[] f = new FinalEmbeddings[1];
      Autograd.noGrad(() -> f[0] = model.embed());
      out.putAll(evaluator.evaluate(f[0].users(), f[0].items(), split));
    }
    return out;
  }
}
