package dev.crane.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.crane.schemas.Split;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Autograd;
import dev.crane.trainer.engine.NativeAllocator;
import dev.crane.trainer.engine.Tensors;
import dev.crane.trainer.eval.Evaluator;
import dev.crane.trainer.model.core.Batch;
import dev.crane.trainer.model.core.FinalEmbeddings;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.model.core.StepProfiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The training loop of crane-spec.md §5: per epoch, the model's preprocessing (edge pruning), a
 * shuffle of the training rows, batches with one uniform negative per row, Adam over every
 * parameter; then evaluation on valid and early stopping on rounded Recall@20. Test is evaluated
 * only at epochs that improve validation, so the reported test figures are those of the best
 * validation epoch and can never influence selection. All randomness comes from one seed.
 */
public final class Trainer {
  private final TrainingData data;
  private final TrainConfig config;
  private final TrainingListener listener;
  private final BooleanSupplier stopRequested;
  private Map<String, float[]> bestParameters = Map.of();
  private Adam.State bestOptimizer;

  public Trainer(TrainingData data, TrainConfig config, TrainingListener listener) {
    this(data, config, listener, () -> false);
  }

  /**
   * @param stopRequested asked after each epoch's evaluation: true ends the run there (stop reason
   *     "stop-requested") with the best epoch's figures, as early stopping would. Between epochs, because a
   *     signal that lands inside libtorch's backward crashes the JVM (DJL's shutdown hook frees the engine).
   */
  public Trainer(TrainingData data, TrainConfig config, TrainingListener listener, BooleanSupplier stopRequested) {
    this.data = data;
    this.config = config;
    this.listener = listener;
    this.stopRequested = stopRequested;
  }

  /** @param rng the run's generator, already used for the model's initialisation */
  public TrainResult fit(Recommender model, SplittableRandom rng) {
    return fit(model, rng, null);
  }

  /** @param optimizer Adam's state to continue from (a fine-tune), or null for a fresh optimizer */
  public TrainResult fit(Recommender model, SplittableRandom rng, Adam.State optimizer) {
    Adam adam = new Adam(model.parameters(), config.learningRate(), optimizer);
    NegativeSampler sampler = new NegativeSampler(data);
    Evaluator evaluator = new Evaluator(data, config.evalUserBatch());
    EarlyStopping stopping = new EarlyStopping(config.patience());
    int rows = data.numTrainRows();
    int[] order = new int[rows];
    for (int r = 0; r < rows; r++) {
      order[r] = r;
    }
    int allBatches = (rows + config.batchSize() - 1) / config.batchSize();
    int batches = config.maxBatches() > 0 ? Math.min(config.maxBatches(), allBatches) : allBatches;
    List<EpochRecord> history = new ArrayList<>();
    Map<String, Double> bestValid = Map.of();
    Map<String, Double> bestTest = Map.of();
    int bestEpoch = -1;
    String stop = "max-epochs";
    long runStart = System.nanoTime();
    double trainSeconds = 0;
    double longestEvaluation = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      long t0 = System.nanoTime();
      SplittableRandom epochRng = rng.split();
      model.beforeEpoch(epochRng);
      trimNativeHeap(); // loading and the kNN refresh leave gigabytes of freed blocks at Electronics size
      double prepare = (System.nanoTime() - t0) / 1e9;
      shuffle(order, epochRng);
      listener.epochStarted(epoch, batches);
      double lossSum = 0;
      boolean nan = false;
      long[] u = new long[config.batchSize()];
      long[] p = new long[config.batchSize()];
      long[] n = new long[config.batchSize()];
      for (int b = 0; b < batches; b++) {
        int from = b * config.batchSize();
        int size = Math.min(config.batchSize(), rows - from);
        draw(data, sampler, order, from, size, u, p, n, epochRng);
        double loss = step(model, adam, u, p, n, size);
        if (Double.isNaN(loss)) {
          nan = true;
          break;
        }
        lossSum += loss;
        listener.batchDone(epoch, b, loss);
        if (config.trimEvery() > 0 && (b + 1) % config.trimEvery() == 0) {
          trimNativeHeap(); // bounds the kept native heap's fragmentation
        }
      }
      if (nan) {
        stop = "nan-loss";
        break;
      }
      double train = (System.nanoTime() - t0) / 1e9;
      trainSeconds += train;
      listener.evaluating(epoch);
      Map<String, Double> valid;
      Map<String, Double> test = null;
      boolean improved;
      try (NDScope scope = new NDScope()) {
        model.beforeEvaluation();
        FinalEmbeddings[] f = new FinalEmbeddings[1];
        Autograd.noGrad(() -> f[0] = model.embed());
        valid = evaluator.evaluate(f[0].users(), f[0].items(), Split.VALID);
        improved = stopping.update(valid.get("recall@20"));
        if (improved) {
          test = evaluator.evaluate(f[0].users(), f[0].items(), Split.TEST);
        }
      }
      trimNativeHeap(); // the evaluation's score blocks are freed; training reuses little of them
      double seconds = (System.nanoTime() - t0) / 1e9;
      longestEvaluation = Math.max(longestEvaluation, seconds - train);
      EpochRecord rec = new EpochRecord(epoch, lossSum / batches, valid, seconds, improved, batches, prepare,
          train - prepare);
      history.add(rec);
      if (improved) {
        bestEpoch = epoch;
        bestValid = valid;
        bestTest = test;
        bestParameters = snapshot(model);
        bestOptimizer = adam.state();
      }
      listener.epochDone(rec);
      if (stopping.shouldStop()) {
        stop = "early-stopping";
        break;
      }
      if (epoch + 1 < config.epochs() && stopRequested.getAsBoolean()) {
        stop = "stop-requested";
        break;
      }
      // within the budget: stop when another epoch like this one would pass it, counting the closing
      // evaluation of the kept epoch (a fine-tune scores it again) at the longest one seen
      if (epoch + 1 < config.epochs() && config.maxSeconds() > 0
          && (System.nanoTime() - runStart) / 1e9 + seconds + longestEvaluation > config.maxSeconds()) {
        stop = "time-budget";
        break;
      }
    }
    double total = (System.nanoTime() - runStart) / 1e9;
    double perEpoch = history.isEmpty() ? 0 : trainSeconds / history.size();
    return new TrainResult(bestEpoch, bestValid, bestTest, history, stop, perEpoch, total);
  }

  /** Fills u, p, n with training rows order[from, from + size) and one sampled negative per row. */
  public static void draw(TrainingData data, NegativeSampler sampler, int[] order, int from, int size, long[] u,
      long[] p, long[] n, SplittableRandom rng) {
    for (int k = 0; k < size; k++) {
      int row = order[from + k];
      int user = data.rowUsers()[row];
      u[k] = user;
      p[k] = data.rowItems()[row];
      n[k] = sampler.sample(user, rng);
    }
  }

  /**
   * One optimisation step on the first {@code size} triples: loss, backward, and Adam unless the loss is
   * NaN. Every tensor of the step is freed before it returns. @return the loss
   */
  public static double step(Recommender model, Adam adam, long[] u, long[] p, long[] n, int size) {
    return step(model, adam, u, p, n, size, null);
  }

  /**
   * As {@link #step(Recommender, Adam, long[], long[], long[], int)}, booking its phases to a started profiler
   * (may be null): batch, forward_rest (what the model does not book itself), backward, adam, other (freeing the
   * step's tensors).
   */
  public static double step(Recommender model, Adam adam, long[] u, long[] p, long[] n, int size,
      StepProfiler profiler) {
    NDManager manager = model.parameters().manager();
    double loss;
    try (NDScope scope = new NDScope()) {
      Batch batch = new Batch(index(manager, u, size), index(manager, p, size), index(manager, n, size), size,
          java.util.Arrays.copyOf(u, size), java.util.Arrays.copyOf(p, size));
      StepProfiler.lap(profiler, "batch");
      NDArray l;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        l = model.loss(batch);
        StepProfiler.lap(profiler, "forward_rest");
        gc.backward(l);
        model.afterBackward(gc);
      }
      loss = l.getFloat();
      StepProfiler.lap(profiler, "backward");
      if (!Double.isNaN(loss)) {
        adam.step();
      }
      StepProfiler.lap(profiler, "adam");
    }
    StepProfiler.lap(profiler, "other");
    return loss;
  }

  /**
   * Hands freed native pages back to the OS (engine.NativeAllocator) when at least trimMinFreeMb of them
   * are free, unless trimEvery is 0.
   */
  private void trimNativeHeap() {
    if (config.trimEvery() > 0) {
      NativeAllocator.trimIfFree((long) config.trimMinFreeMb() << 20);
    }
  }

  /** Parameter values at the best validation epoch, for the checkpoint. */
  public Map<String, float[]> bestParameters() {
    return bestParameters;
  }

  /** Adam's state at the best validation epoch (null before one), for the checkpoint. */
  public Adam.State bestOptimizer() {
    return bestOptimizer;
  }

  private static Map<String, float[]> snapshot(Recommender model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    model.parameters().all().forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  private static NDArray index(NDManager m, long[] values, int size) {
    // the model's manager lives on the training device, so the indices are created there; owned
    // by libtorch because autograd keeps them for the backward pass of the row gathers
    return Tensors.owned(m, size == values.length ? values : java.util.Arrays.copyOf(values, size));
  }

  public static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
