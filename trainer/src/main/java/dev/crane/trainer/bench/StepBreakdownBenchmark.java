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
import java.util.HashMap;
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
 * with DJL matMul on the same threads (best of {@code --gemm-repeats}), plus its memory-bound operators
 * (sparse products, gathers, element-wise work, Adam) at the host's streaming rate, measured here as a
 * large DJL add (3 x 4 bytes per element), counting 4 bytes per element read or written by each operator
 * as issued (a sparse product, stored by rows: per non-zero its dense row, an int64 column and the value,
 * per output row its start and the row written). Backward's floor is its dense products at the forward shapes' rates (a product's two gradient
 * products have the forward's FLOPs) plus its memory traffic at the streaming rate. batch, forward_rest and
 * other are outside the floor (Java work, allocation and freeing: no analytic cost).
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

  @Option(names = "--gemm-repeats", defaultValue = "3",
      description = "repetitions of each GEMM and bandwidth measurement, the best kept (default 3)")
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
      Measured r = measure(c, td, m);
      StepCost.Sizes sizes = sizes(c, td, r.parameters);
      Map<String, StepCost.Part> cost = StepCost.of(sizes, r.batch);
      Map<String, Double> gemm = new HashMap<>();
      for (StepCost.Part p : cost.values()) {
        for (StepCost.Gemm g : p.gemms) {
          gemm.computeIfAbsent(g.shape(), x -> gemmGflops(m, g, gemmRepeats));
        }
      }
      double streamGbps = streamGbps(m, gemmRepeats);
      Map<String, Object> out = report(c, td, r, cost, gemm, streamGbps);
      out.put("load_average_start", loadStart);
      out.put("load_average_end", dev.crane.ops.bench.Machine.loadAverages());
      merge(json, out);
      System.out.println("written " + json);
      return 0;
    }
  }

  /** The step's measured phases (seconds per step), its total and the mean batch shape. */
  record Measured(Map<String, Double> seconds, double stepSeconds, StepCost.BatchShape batch, long parameters) {}

  private Measured measure(TrainConfig c, TrainingData td, NDManager m) {
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
        users += du.length;
        positives += Arrays.stream(p).distinct().count();
        for (long user : du) {
          userEdges += td.trainItems((int) user).length;
        }
      }
      System.out.printf(Locale.ROOT, "step %d%s: %.3f s, loss %.5f%n", step, step < warmup ? " (warm-up)" : "", s,
          loss);
    }
    if (torchProfile != null) {
      ai.djl.pytorch.jni.JniUtils.stopProfile(torchProfile.toAbsolutePath().toString());
      System.out.println("PyTorch profile of the measured steps: " + torchProfile);
    }
    model.profileWith(null);
    Map<String, Double> seconds = new LinkedHashMap<>();
    profiler.nanos().forEach((k, v) -> seconds.put(k, v / 1e9 / steps));
    long params = model.parameters().all().values().stream().mapToLong(a -> a.getShape().size()).sum();
    return new Measured(seconds, total / steps,
        new StepCost.BatchShape(size, users / steps, positives / steps, userEdges / steps), params);
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
      Map<String, Double> gemm, double streamGbps) {
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
        backward.gemms.add(new StepCost.Gemm(g.m(), g.k(), g.n(), g.grads()));
        backwardGemmSeconds += g.flops() * g.grads() / (gemm.get(g.shape()) * 1e9);
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
        gemmSeconds = p.gemms.stream().mapToDouble(g -> g.flops() / (gemm.get(g.shape()) * 1e9)).sum();
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
    return out;
  }

  /**
   * This host's rate for an (m x k)(k x n) product with DJL matMul, in GFLOP/s: per repetition enough calls to
   * take ~20 ms (each call's result freed, as in the step), the best repetition's mean call kept.
   */
  static double gemmGflops(NDManager parent, StepCost.Gemm g, int repeats) {
    try (NDManager m = parent.newSubManager()) {
      NDArray a = m.randomUniform(-1f, 1f, new Shape(g.m(), g.k()));
      NDArray b = m.randomUniform(-1f, 1f, new Shape(g.k(), g.n()));
      long t0 = System.nanoTime();
      a.matMul(b).close(); // warm-up, and the size of a repetition
      long once = Math.max(1, System.nanoTime() - t0);
      int calls = (int) Math.max(1, Math.min(10_000, 20_000_000L / once));
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep < repeats; rep++) {
        long t = System.nanoTime();
        for (int k = 0; k < calls; k++) {
          a.matMul(b).close();
        }
        best = Math.min(best, (System.nanoTime() - t) / 1e9 / calls);
      }
      return g.flops() / best / 1e9;
    }
  }

  /** This host's streaming rate in GB/s: c = a + b over 32 M floats (128 MB each, beyond any L3 cache). */
  static double streamGbps(NDManager parent, int repeats) {
    try (NDManager m = parent.newSubManager()) {
      long n = 32L << 20;
      NDArray a = m.randomUniform(-1f, 1f, new Shape(n));
      NDArray b = m.randomUniform(-1f, 1f, new Shape(n));
      a.add(b).close();
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep < Math.max(3, repeats); rep++) {
        long t = System.nanoTime();
        a.add(b).close();
        best = Math.min(best, (System.nanoTime() - t) / 1e9);
      }
      return 3.0 * 4 * n / best / 1e9;
    }
  }

  /** The run's provenance keys; also written as breakdown_&lt;key&gt;. */
  static final List<String> PROVENANCE = List.of("command", "date", "machine");

  /**
   * Puts {@code out}'s keys into the JSON file, keeping every other key; atomic rename. When the file's
   * command, date and machine are another tool's (the cost file's are the epoch benchmark's, whose per-seed
   * figures they describe), they stay, and this run's are only under breakdown_command, _date, _machine.
   */
  static void merge(Path file, Map<String, Object> out) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> all = Files.exists(file)
        ? json.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {}) : new LinkedHashMap<>();
    boolean foreign = all.get("command") instanceof String c && !c.startsWith("trainer bench-breakdown");
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
