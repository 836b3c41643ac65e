package dev.crane.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.model.CranePaper;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.StepProfiler;
import dev.crane.trainer.model.crane.PaperHyperparameters;
import dev.crane.trainer.train.Adam;
import dev.crane.trainer.train.MemoryGuard;
import dev.crane.trainer.train.NegativeSampler;
import dev.crane.trainer.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Where a CRANE paper-mode training step's time goes, and how far each part is from what this host's
 * dense products and memory allow. The step is {@code Trainer.step} itself, with a {@link StepProfiler}
 * booking its phases: batch (drawing negatives, index tensors), the model's forward components
 * (feature_projection, user_profiles = Eq. 5 sums + Eq. 16 means, rca_round0..t-1, gcn, item_graph, bpr with
 * the L2 term, infonce), forward_rest (anything of the forward the model does not book), backward (one
 * component: autograd's whole backward pass), adam, other (freeing the step's tensors). The CPU engine's
 * operators are synchronous, so a lap's wall time is its operators' time.
 *
 * <p>FLOPs are counted from the shapes the code uses ({@link StepCost}): a dense (m x k)(k x n) product is
 * 2mkn; a sparse x dense product 2 nnz w; element-wise operators and reductions their arithmetic per element
 * (1 for add/mul/ReLU, 2 per element for a row norm or a dot product, 3 for unit rows, 4 for a log-softmax);
 * operators on d x d or smaller tensors are left out. Backward counts each differentiable operator once per
 * operand that needs a gradient: a dense product of two trainable operands 2x its forward, a product with a
 * constant operand (the raw features, the sparse graphs) 1x, element-wise operators 2x, gathers 1x (their
 * scatter-add). Adam is 13 FLOPs per parameter element (its operators as issued).
 *
 * <p>The floor: each component's dense products at this host's rate for the same (m, k, n), measured here
 * with DJL matMul on the same threads on operands in cache, plus its memory-bound operators (sparse products,
 * gathers, element-wise work, Adam) at the host's streaming rate, measured here as a DJL add over 128 MB
 * arrays (3 x 4 bytes per element), counting 4 bytes per element read or written by each operator as issued
 * (a sparse product, stored by rows: per non-zero its dense row, an int64 column and the value, per output row
 * its start and the row written). Backward's floor is its dense products as autograd issues them (each with
 * the forward's FLOPs: dA = dC Bᵀ, dB = Aᵀ dC, transposed where the code passes that operand as a transposed
 * view; {@link StepCost.Form}), each at its own rate, plus its memory traffic at the streaming rate. batch,
 * forward_rest and other are outside the floor (Java work, allocation and freeing: no analytic cost).
 *
 * <p>The rates are measured in up to {@code --gemm-repeats} turns, one after each block of the measured steps
 * (the steps split as evenly as they go), for the products of the first block's mean batch; the floor takes
 * each rate's best over the turns. That mixes moments no single turn saw, so it is the lowest floor the run's
 * measurements support. Two more figures: each block's mean step against the floor from the turn right after it
 * (paired: this host's speed drifts by 20 % within minutes, and a ratio of figures taken at different moments
 * moves with it; each of its rates is one ~20 ms sample, which a moment of interference lowers, raising that
 * floor); and the floor with every product's operands cycled through more memory than the caches hold (cold),
 * as a step's operands are. Sessions before 36 charged backward's products at the forward shapes' rates, one
 * measurement of each after the steps: that rule's floor is still reported (forward_rates), from this run's
 * rates. The turns themselves touch hundreds of MB between blocks, which may slow the step after each.
 */
@Command(name = "bench-breakdown", mixinStandardHelpOptions = true,
    description = "One CRANE paper-mode training step broken down per component: time, FLOPs, GFLOP/s against this "
        + "host's GEMM rate for the same shapes, and the step's floor; merges into a flat JSON.")
public final class StepBreakdownBenchmark implements Callable<Integer> {
  /** The components in the order the step runs them, the RCA rounds between these two lists. */
  static final List<String> BEFORE_RCA = List.of("batch", "gcn", "feature_projection", "user_profiles");
  static final List<String> AFTER_RCA = List.of("item_graph", "bpr", "infonce", "forward_rest", "backward", "adam",
      "other");

  @Option(names = "--data", required = true, description = "MMRec dataset directory") Path data;

  @Option(names = "--steps", defaultValue = "10", description = "measured training steps (default 10)") int steps;

  @Option(names = "--warmup", defaultValue = "2", description = "unmeasured steps first (default 2)") int warmup;

  @Option(names = "--gemm-repeats", defaultValue = "5",
      description = "turns of GEMM and bandwidth measurements, taken between equal blocks of the measured steps; each "
          + "rate's best kept (default 5)")
  int gemmRepeats;

  @Option(names = "--set", description = "a training setting as name=value (repeatable), e.g. batchSize=2048")
  List<String> sets = new ArrayList<>();

  @Option(names = "--json", defaultValue = "docs/bench/trainer-cost.json",
      description = "output JSON, merged into when it exists (default docs/bench/trainer-cost.json)")
  Path json;

  @Option(names = "--torch-profile", paramLabel = "FILE",
      description = "also record the measured steps with PyTorch's profiler: a Chrome trace of every native operator"
          + " (chrome://tracing), to see which operators a component such as backward runs; the profiler slows"
          + " some of them several-fold, so take the times from a run without it")
  Path torchProfile;

  /** Runs itself again with the tuned allocator (engine.NativeAllocator), as {@code trainer train} does. */
  public static void main(String[] args) {
    BenchLaunch.main(StepBreakdownBenchmark.class, StepBreakdownBenchmark::new, args);
  }

  @Override
  public Integer call() throws Exception {
    return BenchLaunch.oneLineErrors(this::run);
  }

  private int run() throws Exception {
    if (steps < 1 || warmup < 0 || gemmRepeats < 1) {
      throw new IllegalArgumentException("--steps and --gemm-repeats must be >= 1, --warmup >= 0");
    }
    String loadStart = dev.crane.ops.bench.Machine.loadAverages();
    MmrecDataset ds = MmrecReader.read(data);
    TrainingData td = TrainingData.from(ds);
    TrainConfig.Builder b = TrainConfig.builder(Model.CRANE);
    PaperHyperparameters.apply(b, ds.name());
    for (String s : sets) {
      b.set(s);
    }
    TrainConfig c = b.dataset(td.name()).build();
    if (c.noItemGraph() || c.noRecursion() || c.noAttention() || c.noGcn()) {
      throw new IllegalArgumentException("bench-breakdown measures the full paper model; drop the ablation setting");
    }
    MemoryGuard.check(c, td);
    try (NDManager m = NDManager.newBaseManager(Devices.pick(false))) {
      // a turn of GEMM measurements after each block of steps: the host's rates at the moments the steps ran, for
      // the products of the first block's mean batch (the batch-dependent InfoNCE shapes then stay the same)
      List<GemmRates> turns = new ArrayList<>();
      StepCost.BatchShape[] turnBatch = new StepCost.BatchShape[1];
      Measured r = measure(c, td, m, (batch, parameters) -> {
        if (turnBatch[0] == null) {
          turnBatch[0] = batch;
        }
        turns.add(GemmRates.turn(m, gemms(StepCost.of(sizes(c, td, parameters), turnBatch[0])), null));
      });
      StepCost.Sizes sizes = sizes(c, td, r.parameters);
      Map<String, StepCost.Part> cost = StepCost.of(sizes, r.batch);
      if (turns.isEmpty()) {
        turns.add(GemmRates.turn(m, gemms(cost), null));
      }
      GemmRates gemm = GemmRates.best(turns);
      // the whole run's mean batch may round to other InfoNCE shapes than the first block's: one measurement of those
      gemm.rates.putAll(GemmRates.turn(m, gemms(cost), gemm).rates);
      Map<String, Object> out = report(c, td, r, cost, gemm);
      out.put("crane_breakdown_gemm_turns", turns.size());
      paired(out, r, cost, turns, gemm);
      out.put("load_average_start", loadStart);
      out.put("load_average_end", dev.crane.ops.bench.Machine.loadAverages());
      merge(json, out);
      System.out.println("written " + json);
      return 0;
    }
  }

  /**
   * The step's measured phases (seconds per step), its mean, the mean batch shape, and each block's mean step
   * (blocks as {@link #blockEnds} splits the steps, each followed by the hook).
   */
  record Measured(Map<String, Double> seconds, double stepSeconds, StepCost.BatchShape batch, long parameters,
      List<Double> blockSeconds) {}

  /** Runs after each block of measured steps, with the mean batch shape so far. */
  interface BlockHook {
    void afterBlock(StepCost.BatchShape batchSoFar, long parameters);
  }

  /**
   * The measured steps after which each block ends: {@code steps} split into {@code turns} blocks as equal as can be
   * (fewer when there are fewer steps than turns), the last ending with the last step.
   */
  static int[] blockEnds(int steps, int turns) {
    return java.util.stream.IntStream.rangeClosed(1, turns).map(j -> (int) Math.round((double) j * steps / turns))
        .filter(e -> e > 0).distinct().toArray();
  }

  private static List<StepCost.Gemm> gemms(Map<String, StepCost.Part> cost) {
    return cost.values().stream().flatMap(p -> p.gemms.stream()).toList();
  }

  private Measured measure(TrainConfig c, TrainingData td, NDManager m, BlockHook hook) {
    SplittableRandom rng = new SplittableRandom(c.seed());
    CranePaper model = (CranePaper) ModelFactory.create(c, td, m, rng);
    Adam adam = new Adam(model.parameters(), c.learningRate());
    NegativeSampler sampler = new NegativeSampler(td);
    int size = Math.min(c.batchSize(), td.numTrainRows());
    int[] order = new int[td.numTrainRows()];
    Arrays.setAll(order, x -> x);
    Trainer.shuffle(order, rng); // as the trainer does: file order groups a user's rows into one batch
    long[] u = new long[size];
    long[] p = new long[size];
    long[] n = new long[size];
    model.beforeEpoch(rng);
    StepProfiler profiler = new StepProfiler();
    model.profileWith(profiler);
    long params = model.parameters().all().values().stream().mapToLong(a -> a.getShape().size()).sum();
    List<Double> blocks = new ArrayList<>();
    int[] ends = blockEnds(steps, gemmRepeats);
    double blockTotal = 0;
    double total = 0;
    double users = 0;
    double positives = 0;
    double userEdges = 0;
    int cursor = 0;
    for (int step = 0; step < warmup + steps; step++) {
      if (step == warmup) {
        profiler.clear();
        if (torchProfile != null) {
          ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
        }
      }
      if (cursor + size > order.length) {
        Trainer.shuffle(order, rng);
        cursor = 0;
      }
      long t0 = System.nanoTime();
      profiler.start();
      Trainer.draw(td, sampler, order, cursor, size, u, p, n, rng);
      double loss = Trainer.step(model, adam, u, p, n, size, profiler);
      profiler.stop("other");
      double s = (System.nanoTime() - t0) / 1e9;
      if (Double.isNaN(loss)) {
        throw new IllegalStateException("NaN loss at step " + step);
      }
      cursor += size;
      long[] du = Arrays.stream(u).distinct().toArray();
      if (step >= warmup) {
        total += s;
        blockTotal += s;
        users += du.length;
        positives += Arrays.stream(p).distinct().count();
        for (long user : du) {
          userEdges += td.trainItems((int) user).length;
        }
      }
      System.out.printf(Locale.ROOT, "step %d%s: %.3f s, loss %.5f%n", step, step < warmup ? " (warm-up)" : "", s,
          loss);
      int done = step - warmup + 1;
      // not while PyTorch's profiler records: the turns' products would fill its trace
      if (torchProfile == null && blocks.size() < ends.length && done == ends[blocks.size()]) {
        blocks.add(blockTotal / (done - (blocks.isEmpty() ? 0 : ends[blocks.size() - 1])));
        blockTotal = 0;
        hook.afterBlock(new StepCost.BatchShape(size, users / done, positives / done, userEdges / done), params);
      }
    }
    if (torchProfile != null) {
      ai.djl.pytorch.jni.JniUtils.stopProfile(torchProfile.toAbsolutePath().toString());
      System.out.println("PyTorch profile of the measured steps: " + torchProfile);
    }
    model.profileWith(null);
    Map<String, Double> seconds = new LinkedHashMap<>();
    profiler.nanos().forEach((k, v) -> seconds.put(k, v / 1e9 / steps));
    return new Measured(seconds, total / steps,
        new StepCost.BatchShape(size, users / steps, positives / steps, userEdges / steps), params, blocks);
  }

  static StepCost.Sizes sizes(TrainConfig c, TrainingData td, long parameters) {
    long[] dims = td.features().stream().mapToLong(FeatureMatrix::dim).toArray();
    long edges = td.edgeUsers().length;
    long kept = c.dropRatio() > 0 ? (long) Math.floor(edges * (1.0 - c.dropRatio())) : edges; // EdgePruner's m
    return new StepCost.Sizes(td.numUsers(), td.numItems(), dims, c.embeddingDim(), c.attentionRounds(),
        c.uiLayers(), c.knnK(), edges, 2 * kept, !c.noContrastive() && c.lambdaCl() > 0, c.lambdaReg() > 0,
        parameters);
  }

  /** The flat JSON's figures, and the table on stdout. */
  private Map<String, Object> report(TrainConfig c, TrainingData td, Measured r, Map<String, StepCost.Part> cost,
      GemmRates gemm) {
    double streamGbps = gemm.stream;
    List<String> order = new ArrayList<>(BEFORE_RCA);
    r.seconds.keySet().stream().filter(k -> k.startsWith("rca_round"))
        .sorted(java.util.Comparator.comparingInt(k -> Integer.parseInt(k.substring("rca_round".length()))))
        .forEach(order::add);
    order.addAll(AFTER_RCA);
    order.removeIf(k -> !r.seconds.containsKey(k) && !cost.containsKey(k));
    // backward: every forward part's backward cost in one component
    StepCost.Part backward = new StepCost.Part();
    double backwardGemmSeconds = 0;
    for (StepCost.Part p : cost.values()) {
      backward.backwardOtherFlops += p.backwardOtherFlops;
      backward.backwardBytes += p.backwardBytes;
      for (StepCost.Gemm g : p.gemms) {
        backward.gemms.add(g);
        backwardGemmSeconds += gemm.backwardSeconds(g, Rule.OWN_SHAPES);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("command", "trainer bench-breakdown --data " + data + " --steps " + steps + " --warmup " + warmup
        + " --gemm-repeats " + gemmRepeats + (sets.isEmpty() ? "" : " --set " + String.join(" --set ", sets)));
    out.put("date", Instant.now().toString());
    out.put("machine", TrainerBenchmark.machine());
    out.put("threads", JniUtils.getNumThreads());
    out.put("interop_threads", JniUtils.getNumInteropThreads());
    out.put("crane_breakdown_dataset", td.name());
    out.put("crane_breakdown_steps", steps);
    out.put("crane_breakdown_batch_size", (int) r.batch.rows());
    out.put("stream_gbps", sig(streamGbps));
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-20s %9s %6s %9s %9s %12s %9s %9s%n",
        "component", "s/step", "share", "GFLOP", "GFLOP/s", "GEMM GFLOP/s", "GB moved", "floor s"));
    double sum = 0;
    double floor = 0;
    double stepFlops = 0;
    for (String k : order) {
      double s = r.seconds.getOrDefault(k, 0.0);
      sum += s;
      String key = "crane_" + k;
      out.put(key + "_seconds", sig(s));
      double flops;
      double gemmFlops;
      double gemmSeconds;
      double bytes;
      if (k.equals("backward")) {
        flops = backward.backwardFlops();
        gemmFlops = backward.backwardGemmFlops();
        gemmSeconds = backwardGemmSeconds;
        bytes = backward.backwardBytes;
      } else if (cost.containsKey(k)) {
        StepCost.Part p = cost.get(k);
        flops = p.flops();
        gemmFlops = p.gemmFlops();
        gemmSeconds = p.gemms.stream().mapToDouble(g -> gemm.forwardSeconds(g, Rule.OWN_SHAPES)).sum();
        bytes = p.bytes;
      } else {
        table.append(String.format(Locale.ROOT, "%-20s %9.4f %5.1f%% %9s %9s %12s %9s %9s%n", k, s,
            100 * s / r.stepSeconds, "-", "-", "-", "-", "outside"));
        continue;
      }
      double f = gemmSeconds + bytes / (streamGbps * 1e9);
      floor += f;
      stepFlops += flops;
      out.put(key + "_gflop", sig(flops / 1e9));
      if (s > 0) { // a JSON number cannot be infinite
        out.put(key + "_gflops", sig(flops / 1e9 / s));
      }
      out.put(key + "_gbytes", sig(bytes / 1e9));
      out.put(key + "_floor_seconds", sig(f));
      String gemmRate = "-";
      if (gemmFlops > 0) {
        double rate = gemmFlops / 1e9 / gemmSeconds; // the component's shapes, weighted by their FLOPs
        out.put("gemm_gflops_" + k, sig(rate));
        gemmRate = String.format(Locale.ROOT, "%.3g", rate);
      }
      table.append(String.format(Locale.ROOT, "%-20s %9.4f %5.1f%% %9.3g %9.3g %12s %9.3g %9.3g%n", k, s,
          100 * s / r.stepSeconds, flops / 1e9, flops / 1e9 / s, gemmRate, bytes / 1e9, f));
    }
    out.put("crane_step_seconds", sig(r.stepSeconds));
    out.put("crane_components_seconds_sum", sig(sum));
    out.put("crane_step_gflop", sig(stepFlops / 1e9));
    out.put("crane_step_gflops", sig(stepFlops / 1e9 / r.stepSeconds));
    out.put("crane_step_floor_seconds", sig(floor));
    out.put("crane_to_floor_ratio", sig(r.stepSeconds / floor));
    double forwardRates = floorSeconds(cost, gemm, streamGbps, Rule.FORWARD_RATES);
    double cold = floorSeconds(cost, gemm, streamGbps, Rule.COLD);
    out.put("crane_step_floor_forward_rates_seconds", sig(forwardRates));
    out.put("crane_to_floor_forward_rates_ratio", sig(r.stepSeconds / forwardRates));
    out.put("crane_step_floor_cold_seconds", sig(cold));
    out.put("crane_to_floor_cold_ratio", sig(r.stepSeconds / cold));
    for (StepCost.Gemm g : gemms(cost)) { // the final cost's products only (not the turns' other InfoNCE shapes)
      for (StepCost.Form f : GemmRates.forms(g)) {
        for (boolean fromMemory : new boolean[] {false, true}) {
          String key = GemmRates.key(g, f, fromMemory);
          out.put("gemm_gflops_" + key, sig(gemm.rates.get(key)));
        }
      }
    }
    table.append(String.format(Locale.ROOT, "%-20s %9.4f %6s %9.3g %9.3g %12s %9s %9.4f%n", "step (measured)",
        r.stepSeconds, "", stepFlops / 1e9, stepFlops / 1e9 / r.stepSeconds, "", "", floor));
    System.out.printf(Locale.ROOT, "%s: %d users, %d items, batch %d (%.0f distinct users, %.0f distinct "
        + "positives), d %d, t %d, k %d, %d measured steps after %d warm-up; torch threads %d; stream %.1f GB/s%n",
        td.name(), td.numUsers(), td.numItems(), (int) r.batch.rows(), r.batch.distinctUsers(),
        r.batch.distinctPositives(), c.embeddingDim(), c.attentionRounds(), c.knnK(), steps, warmup,
        JniUtils.getNumThreads(), streamGbps);
    System.out.print(table);
    System.out.printf(Locale.ROOT, "step %.4f s, floor %.4f s (%.2fx); components sum to %.4f s%n", r.stepSeconds,
        floor, r.stepSeconds / floor, sum);
    System.out.printf(Locale.ROOT, "with backward products at the forward shapes' rates (before session 36): floor "
        + "%.4f s (%.2fx); every product with operands from memory (cold): %.4f s (%.2fx)%n", forwardRates,
        r.stepSeconds / forwardRates, cold, r.stepSeconds / cold);
    return out;
  }

  /** The whole step's floor (forward and backward of every part) under a rule. */
  static double floorSeconds(Map<String, StepCost.Part> cost, GemmRates rates, double streamGbps, Rule rule) {
    double s = 0;
    for (StepCost.Part p : cost.values()) {
      s += (p.bytes + p.backwardBytes) / (streamGbps * 1e9);
      for (StepCost.Gemm g : p.gemms) {
        s += rates.forwardSeconds(g, rule) + rates.backwardSeconds(g, rule);
      }
    }
    return s;
  }

  /**
   * The step against the floor block by block: each block's mean step over the floor from the GEMM turn taken
   * right after it (the host's rates at that moment; shapes the turn lacked at the best rates). A host whose
   * speed drifts between the steps and a later measurement moves the ratio of the whole run's figures; these
   * pairs see the same moments.
   */
  private static void paired(Map<String, Object> out, Measured r, Map<String, StepCost.Part> cost,
      List<GemmRates> turns, GemmRates best) {
    double[] ratios = new double[Math.min(turns.size(), r.blockSeconds().size())];
    for (int b = 0; b < ratios.length; b++) {
      GemmRates then = turns.get(b).over(best);
      ratios[b] = r.blockSeconds().get(b) / floorSeconds(cost, then, then.stream, Rule.OWN_SHAPES);
    }
    if (ratios.length == 0) {
      return;
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    out.put("crane_to_floor_paired_ratio_median", sig(median));
    out.put("crane_to_floor_paired_ratio_min", sig(sorted[0]));
    out.put("crane_to_floor_paired_ratio_max", sig(sorted[sorted.length - 1]));
    out.put("crane_to_floor_paired_blocks", ratios.length);
    StringBuilder each = new StringBuilder();
    for (double x : ratios) {
      each.append(String.format(Locale.ROOT, " %.2f", x));
    }
    System.out.printf(Locale.ROOT, "block by block, each against the GEMM rates measured right after it:%s (median "
        + "%.2fx)%n", each, median);
  }

  /** How a floor charges the dense products. */
  enum Rule {
    /** Each product as issued (forward, dA, dB) at its own shape's rate, operands in cache: the floor. */
    OWN_SHAPES,
    /** Backward's products at the forward shape's rate (the floor before session 36). */
    FORWARD_RATES,
    /** Each product as issued at its rate with operands from memory. */
    COLD
  }

  /**
   * This host's measured GEMM rates, GFLOP/s, keyed by form, shape and cache state; a key's in-cache rate is taken
   * as at least its from-memory one (both measure what the host can do).
   */
  static final class GemmRates {
    final Map<String, Double> rates = new LinkedHashMap<>();
    double stream; // GB/s

    /**
     * One measurement of every form of every product listed, in cache and from memory, skipping known keys; and,
     * in a turn that knows no rates, of the streaming rate.
     */
    static GemmRates turn(NDManager m, List<StepCost.Gemm> gemms, GemmRates known) {
      GemmRates out = new GemmRates();
      out.stream = known == null ? streamGbps(m) : known.stream;
      for (StepCost.Gemm g : gemms) {
        String key = key(g, StepCost.Form.FORWARD, false);
        if (!out.rates.containsKey(key) && (known == null || !known.rates.containsKey(key))) {
          measureForms(m, g, out.rates);
        }
      }
      return out;
    }

    /** The forward, then the gradient products autograd issues. */
    static List<StepCost.Form> forms(StepCost.Gemm g) {
      List<StepCost.Form> forms = new ArrayList<>(List.of(StepCost.Form.FORWARD));
      forms.addAll(g.backwardForms());
      return forms;
    }

    /** Each key's best over the turns, and the best streaming rate. */
    static GemmRates best(List<GemmRates> turns) {
      GemmRates out = new GemmRates();
      for (GemmRates t : turns) {
        t.rates.forEach((k, v) -> out.rates.merge(k, v, Math::max));
        out.stream = Math.max(out.stream, t.stream);
      }
      return out;
    }

    /** These rates, with {@code fallback}'s for the keys they lack. */
    GemmRates over(GemmRates fallback) {
      GemmRates out = new GemmRates();
      out.rates.putAll(fallback.rates);
      out.rates.putAll(rates);
      out.stream = stream;
      return out;
    }

    static String key(StepCost.Gemm g, StepCost.Form form, boolean cold) {
      return form.name().toLowerCase(Locale.ROOT) + "_" + g.shape() + (cold ? "_cold" : "");
    }

    double seconds(StepCost.Gemm g, StepCost.Form form, boolean cold) {
      double rate = rates.get(key(g, form, true));
      if (!cold) {
        rate = Math.max(rate, rates.get(key(g, form, false)));
      }
      return g.flops() / (rate * 1e9);
    }

    double forwardSeconds(StepCost.Gemm g, Rule rule) {
      return seconds(g, StepCost.Form.FORWARD, rule == Rule.COLD);
    }

    double backwardSeconds(StepCost.Gemm g, Rule rule) {
      if (rule == Rule.FORWARD_RATES) {
        return g.grads() * seconds(g, StepCost.Form.FORWARD, false);
      }
      return g.backwardForms().stream().mapToDouble(f -> seconds(g, f, rule == Rule.COLD)).sum();
    }
  }

  /**
   * Puts this host's rate (GFLOP/s) for each of a product's forms, in cache and from memory, into {@code out}: DJL
   * matMul on operands laid out as the code passes them (a transposed operand as a view of a contiguous matrix, dC
   * contiguous), each form issued as autograd issues it (StepCost.Form); the mean of enough calls to take ~20 ms,
   * each call's result freed as in the step. In cache: the same operands every call. From memory: each call takes
   * the next of as many operand sets as fill 96 MB (one when a set is that big), more than this host's caches hold.
   */
  static void measureForms(NDManager parent, StepCost.Gemm g, Map<String, Double> out) {
    try (NDManager m = parent.newSubManager()) {
      long bytes = 4 * (g.m() * g.k() + g.k() * g.n() + g.m() * g.n());
      int copies = (int) Math.min(4096, ((96L << 20) + bytes - 1) / bytes);
      boolean leftT = g.operands() == StepCost.Operands.LEFT_TRANSPOSED;
      boolean rightT = g.operands() == StepCost.Operands.RIGHT_TRANSPOSED;
      NDArray[][] sets = new NDArray[copies][];
      for (int c = 0; c < copies; c++) {
        sets[c] = new NDArray[] {
          leftT ? random(m, g.k(), g.m()).transpose() : random(m, g.m(), g.k()),
          rightT ? random(m, g.n(), g.k()).transpose() : random(m, g.k(), g.n()),
          random(m, g.m(), g.n())};
      }
      for (StepCost.Form form : GemmRates.forms(g)) {
        java.util.function.IntConsumer call = c -> {
          NDArray a = sets[c][0];
          NDArray b = sets[c][1];
          NDArray dc = sets[c][2];
          NDArray result = switch (form) {
            case FORWARD -> a.matMul(b);
            case LEFT_GRADIENT -> leftT ? b.matMul(dc.transpose()) : dc.matMul(b.transpose());
            case RIGHT_GRADIENT -> rightT ? dc.transpose().matMul(a) : a.transpose().matMul(dc);
          };
          result.close();
        };
        out.put(GemmRates.key(g, form, false), g.flops() / secondsPerCall(call, 1) / 1e9);
        out.put(GemmRates.key(g, form, true), g.flops() / secondsPerCall(call, copies) / 1e9);
      }
    }
  }

  private static NDArray random(NDManager m, long rows, long cols) {
    return m.randomUniform(-1f, 1f, new Shape(rows, cols));
  }

  /** Mean seconds of a call cycling through {@code sets} operand sets, over at least ~20 ms and every set once. */
  private static double secondsPerCall(java.util.function.IntConsumer call, int sets) {
    long t0 = System.nanoTime();
    call.accept(0); // warm-up, and the size of the measurement
    long once = Math.max(1, System.nanoTime() - t0);
    int calls = (int) Math.max(sets, Math.min(10_000, 20_000_000L / once));
    long t = System.nanoTime();
    for (int k = 0; k < calls; k++) {
      call.accept((k + 1) % sets);
    }
    return (System.nanoTime() - t) / 1e9 / calls;
  }

  /** This host's streaming rate in GB/s: c = a + b over 32 M floats (128 MB each, beyond any L3 cache), best of 3. */
  static double streamGbps(NDManager parent) {
    try (NDManager m = parent.newSubManager()) {
      long n = 32L << 20;
      NDArray a = m.randomUniform(-1f, 1f, new Shape(n));
      NDArray b = m.randomUniform(-1f, 1f, new Shape(n));
      a.add(b).close();
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep < 3; rep++) {
        long t = System.nanoTime();
        a.add(b).close();
        best = Math.min(best, (System.nanoTime() - t) / 1e9);
      }
      return 3.0 * 4 * n / best / 1e9;
    }
  }

  /** The run's provenance keys; also written as breakdown_&lt;key&gt;. */
  static final List<String> PROVENANCE = List.of("command", "date", "machine");

  /** Key prefixes whose keys depend on the run (the products measured, whether blocks were paired). */
  static final List<String> RUN_FAMILIES = List.of("gemm_gflops_", "crane_to_floor_paired_");

  /**
   * Puts {@code out}'s keys into the JSON file, keeping every other key but an earlier run's {@link #RUN_FAMILIES};
   * atomic rename. When the file's command, date and machine are another tool's (the cost file's are the epoch
   * benchmark's, whose per-seed figures they describe), they stay, and this run's are only under
   * breakdown_command, _date, _machine.
   */
  static void merge(Path file, Map<String, Object> out) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> all = Files.exists(file)
        ? json.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {}) : new LinkedHashMap<>();
    boolean foreign = all.get("command") instanceof String c && !c.startsWith("trainer bench-breakdown");
    // families of keys whose members vary from run to run: an earlier run's must not stand beside this one's
    all.keySet().removeIf(k -> RUN_FAMILIES.stream().anyMatch(k::startsWith));
    for (Map.Entry<String, Object> e : out.entrySet()) {
      if (PROVENANCE.contains(e.getKey())) {
        all.put("breakdown_" + e.getKey(), e.getValue());
        if (foreign) {
          continue;
        }
      }
      all.put(e.getKey(), e.getValue());
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    json.writeValue(tmp.toFile(), all);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Six significant digits: small datasets' parts are microseconds and kiloFLOPs. */
  private static double sig(double x) {
    return Double.isFinite(x) ? new java.math.BigDecimal(x).round(new java.math.MathContext(6)).doubleValue() : x;
  }
}
