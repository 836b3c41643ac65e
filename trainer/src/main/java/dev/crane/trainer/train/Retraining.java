package dev.crane.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.Split;
import dev.crane.trainer.data.IdMapping;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.eval.Evaluator;
import dev.crane.trainer.model.FinalEmbeddings;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.Recommender;
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
   */
  public record Outcome(TrainingData data, Recommender model, Mode mode, String why, TrainResult result,
      Map<String, Double> baseline, Map<String, Double> valid, Map<String, Double> test,
      Map<String, float[]> parameters, Optional<WarmStart.Report> warm) {

    public double validRecall20() {
      return valid.getOrDefault("recall@20", Double.NaN);
    }

    public double baselineRecall20() {
      return baseline.getOrDefault("recall@20", Double.NaN);
    }
  }

  private Retraining() {}

  /**
   * @param serving the accepted model's checkpoint, or null
   * @param full train from scratch even when the serving model could seed the candidate
   * @param manager owns the candidate's tensors; the caller closes it when done with the outcome
   */
  public static Outcome run(MmrecDataset dataset, TrainConfig config, Checkpoint serving, boolean full,
      NDManager manager, TrainingListener listener, BooleanSupplier stopRequested) {
    java.util.List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
    }
    IdMapping users = IdMapping.empty();
    IdMapping items = IdMapping.empty();
    if (serving != null) {
      users = new IdMapping(serving.meta().userIds);
      items = new IdMapping(serving.meta().itemIds);
    }
    TrainingData data = TrainingData.from(dataset, users, items);
    config.dataset = data.name();
    if (TrainingRun.requiresFeatures(config.model) && data.features().isEmpty()) {
      throw new IllegalArgumentException("model " + config.model + " needs item features but the data has none");
    }
    MemoryGuard.check(config, data);
    Evaluator evaluator = new Evaluator(data, config.evalUserBatch);
    Map<String, Double> baseline = Map.of();
    Optional<WarmStart.Report> warm = Optional.empty();
    if (serving != null) {
      try (NDManager sub = manager.newSubManager()) {
        Recommender old = ModelFactory.create(serving.meta().config, data, sub, new SplittableRandom(config.seed));
        if (WarmStart.incompatibility(serving, old, data).isEmpty()) {
          warm = Optional.of(WarmStart.apply(serving, old, data));
          baseline = evaluate(old, evaluator, Split.VALID, new SplittableRandom(config.seed));
        }
      }
    }
    SplittableRandom rng = new SplittableRandom(config.seed);
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
    Trainer trainer = new Trainer(data, config, listener, stopRequested);
    TrainResult result = trainer.fit(model, rng);
    Map<String, float[]> best = trainer.bestParameters();
    Map<String, Double> valid = Map.of();
    Map<String, Double> test = Map.of();
    if (!best.isEmpty()) {
      Autograd.noGrad(() -> model.parameters().all().forEach((name, p) -> p.set(best.get(name))));
      valid = evaluate(model, evaluator, Split.VALID, rng);
      test = data.evaluatedUsers(Split.TEST).length == 0 ? Map.of() : evaluate(model, evaluator, Split.TEST, null);
    }
    return new Outcome(data, model, mode, why, result, baseline, valid, test, best, warm);
  }

  /**
   * Metrics of the model's current parameters. With {@code refresh}, the per-epoch structures (the
   * item graph's neighbours) are first rebuilt for these parameters, as published vectors need.
   */
  private static Map<String, Double> evaluate(Recommender model, Evaluator evaluator, Split split,
      SplittableRandom refresh) {
    if (refresh != null) {
      model.beforeEpoch(refresh);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    try (NDScope scope = new NDScope()) {
      FinalEmbeddings[] f = new FinalEmbeddings[1];
      Autograd.noGrad(() -> f[0] = model.embed());
      out.putAll(evaluator.evaluate(f[0].users(), f[0].items(), split));
    }
    return out;
  }
}
