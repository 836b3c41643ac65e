package dev.crane.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import ai.djl.ndarray.NDManager;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.trainer.config.AttentionAxis;
import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.model.crane.PaperHyperparameters;
import dev.crane.trainer.train.Adam;
import dev.crane.trainer.train.MemoryGuard;
import dev.crane.trainer.train.NegativeSampler;
import dev.crane.trainer.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The cost comparison of paper mode against reference mode with their steps interleaved in one process:
 * each round is one reference step (its batch of 2048) followed by the paper steps that cover as many
 * rows (two of 1024). Separate one-epoch runs drift with the shared host (reference mode's step swung 1.7x
 * between sessions with unchanged code, paper mode's 4 %); interleaving exposes both to the same moments,
 * so their ratio holds even when the absolute figures do not.
 */
@Command(name = "bench-steps", mixinStandardHelpOptions = true,
    description = "Paper mode vs reference mode, training steps interleaved in one process; writes a flat JSON.")
public final class PairedStepBenchmark implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "MMRec dataset directory") Path data;

  @Option(names = "--rounds", defaultValue = "12", description = "measured rounds (default 12)") int rounds;

  @Option(names = "--warmup", defaultValue = "2", description = "unmeasured rounds first (default 2)") int warmup;

  @Option(names = "--axis", defaultValue = "items", description = "reference mode's attention axis (default items)")
  String axis;

  @Option(names = "--set", description = "applied to both configs as name=value (repeatable), e.g. embeddingDim=8")
  List<String> sets = new ArrayList<>();

  @Option(names = "--json", defaultValue = "docs/bench/trainer-cost-paired.json", description = "output JSON")
  Path json;

  /** Runs itself again with the tuned allocator (engine.NativeAllocator), as {@code trainer train} does. */
  public static void main(String[] args) {
    BenchLaunch.main(PairedStepBenchmark.class, PairedStepBenchmark::new, args);
  }

  @Override
  public Integer call() throws Exception {
    return BenchLaunch.oneLineErrors(this::run);
  }

  private int run() throws Exception {
    MmrecDataset ds = MmrecReader.read(data);
    TrainingData td = TrainingData.from(ds);
    TrainConfig.Builder paperB = TrainConfig.builder(Model.CRANE);
    PaperHyperparameters.apply(paperB, ds.name());
    AttentionAxis refAxis = AttentionAxis.parse(axis);
    TrainConfig.Builder refB = TrainConfig.builder(Model.CRANE_REF).attentionAxis(refAxis);
    for (TrainConfig.Builder c : List.of(paperB, refB)) {
      for (String s : sets) {
        c.set(s);
      }
      c.dataset(td.name());
    }
    TrainConfig paper = paperB.build();
    TrainConfig ref = refB.build();
    for (TrainConfig c : List.of(paper, ref)) {
      MemoryGuard.check(c, td);
    }
    try (NDManager m = NDManager.newBaseManager(Devices.pick(false))) {
      Side p = new Side("paper", paper, td, m);
      Side r = new Side("ref_" + refAxis.name().toLowerCase(Locale.ROOT), ref, td, m);
      int paperPerRef = (ref.batchSize() + paper.batchSize() - 1) / paper.batchSize();
      for (int round = 0; round < warmup + rounds; round++) {
        boolean measured = round >= warmup;
        double rs = r.step(measured);
        double ps = 0;
        for (int k = 0; k < paperPerRef; k++) {
          ps += p.step(measured);
        }
        System.out.printf(Locale.ROOT, "round %d%s: reference %.3f s, paper %d steps %.3f s%n", round,
            measured ? "" : " (warm-up)", rs, paperPerRef, ps);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("command", "trainer bench-steps --data " + data + " --rounds " + rounds + " --warmup " + warmup
          + " --axis " + axis + (sets.isEmpty() ? "" : " --set " + String.join(" --set ", sets)));
      out.put("date", Instant.now().toString());
      out.put("dataset", td.name());
      out.put("machine", TrainerBenchmark.machine());
      p.report(out);
      r.report(out);
      double perStep = r.median() / p.median();
      out.put("paper_vs_" + r.name + "_step_speedup", round2(perStep));
      out.put("paper_vs_" + r.name + "_epoch_speedup", round2(r.median() * r.batches / (p.median() * p.batches)));
      if (json.getParent() != null) {
        Files.createDirectories(json.getParent());
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
      System.out.printf(Locale.ROOT, "per step %.2fx, per epoch %.2fx; written %s%n", perStep,
          (double) out.get("paper_vs_" + r.name + "_epoch_speedup"), json);
      return 0;
    }
  }

  private static double round2(double x) {
    return Math.round(x * 100) / 100.0;
  }

  /** One model with its optimiser and its own walk through shuffled training rows. */
  private static final class Side {
    final String name;
    final TrainingData data;
    final Recommender model;
    final Adam adam;
    final NegativeSampler sampler;
    final SplittableRandom rng;
    final int[] order;
    final int batchSize;
    final int batches;
    final long[] u;
    final long[] p;
    final long[] n;
    final List<Double> seconds = new ArrayList<>();
    int cursor;

    Side(String name, TrainConfig c, TrainingData data, NDManager m) {
      this.name = name;
      this.data = data;
      this.rng = new SplittableRandom(c.seed());
      this.model = ModelFactory.create(c, data, m, rng);
      this.adam = new Adam(model.parameters(), c.learningRate());
      this.sampler = new NegativeSampler(data);
      this.batchSize = Math.min(c.batchSize(), data.numTrainRows());
      this.batches = (data.numTrainRows() + c.batchSize() - 1) / c.batchSize();
      this.order = new int[data.numTrainRows()];
      Arrays.setAll(order, i -> i);
      Trainer.shuffle(order, rng); // as the trainer does: file order groups a user's rows into one batch
      this.u = new long[batchSize];
      this.p = new long[batchSize];
      this.n = new long[batchSize];
      model.beforeEpoch(rng);
    }

    /** One full-size step; @return its seconds */
    double step(boolean measured) {
      if (cursor + batchSize > order.length) {
        Trainer.shuffle(order, rng);
        cursor = 0;
      }
      long t0 = System.nanoTime();
      Trainer.draw(data, sampler, order, cursor, batchSize, u, p, n, rng);
      double loss = Trainer.step(model, adam, u, p, n, batchSize);
      double s = (System.nanoTime() - t0) / 1e9;
      if (Double.isNaN(loss)) {
        throw new IllegalStateException(name + ": NaN loss");
      }
      cursor += batchSize;
      if (measured) {
        seconds.add(s);
      }
      return s;
    }

    double median() {
      double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    void report(Map<String, Object> out) {
      double mean = seconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      out.put(name + "_batch_size", batchSize);
      out.put(name + "_steps_measured", seconds.size());
      out.put(name + "_seconds_per_step_median", median());
      out.put(name + "_seconds_per_step_mean", mean);
      out.put(name + "_batches_per_epoch", batches);
      out.put(name + "_train_seconds_per_epoch_estimate", median() * batches);
    }
  }
}
