package dev.crane.trainer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.ops.process.StopWithJvm;
import dev.crane.trainer.cli.TrainerCli;
import dev.crane.trainer.engine.Devices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs configs x seeds on one dataset, one after the other, each to convergence (early stopping)
 * or to {@code --max-epochs}, and merges the figures into a flat JSON after every run, so a job
 * killed midway still leaves what it finished. Each run is a child JVM executing {@code trainer
 * train} (its own heap, its own peak RSS, a crash or a memory-guard refusal costs only that run).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark model configs x seeds on one dataset; writes docs/bench/trainer-<name>.json.")
public final class TrainerBenchmark implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "MMRec dataset directory") Path data;

  @Option(names = "--configs", required = true, split = ",", completionCandidates = BenchConfigs.Names.class,
      description = "comma-separated: ${COMPLETION-CANDIDATES}; groups: ablations, crane_ref")
  List<String> configs;

  @Option(names = "--seeds", split = ",", defaultValue = "999", description = "comma-separated (default 999)")
  List<Long> seeds;

  @Option(names = "--name", description = "JSON name: docs/bench/trainer-<name>.json (default: the dataset directory name)")
  String name;

  @Option(names = "--json", description = "explicit output JSON path (overrides --name)") Path json;

  @Option(names = "--runs-dir", description = "per-run outputs (default runs/bench-<name>)") Path runsDir;

  @Option(names = "--max-epochs", description = "cap on epochs per run (default: the model's own, with early stopping)")
  Integer maxEpochs;

  @Option(names = "--set", description = "passed to every run as --set name=value (repeatable)")
  List<String> sets = new ArrayList<>();

  @Option(names = "--child-heap", defaultValue = "4g", description = "-Xmx of each training JVM (default 4g)")
  String childHeap;

  @Option(names = "--resume", description = "skip config/seed pairs the JSON already has") boolean resume;

  @Option(names = "--import", paramLabel = "RUNS_DIR",
      description = "take a config/seed pair's figures from RUNS_DIR/<config>-seed<S>/metrics.json when a finished "
          + "run is there instead of training it, e.g. runs of the same benchmark done by parallel runners (repeatable)")
  List<Path> imports = new ArrayList<>();

  @Option(names = "--merge", paramLabel = "JSON",
      description = "first take every run of another benchmark JSON into this one, e.g. the same dataset's "
          + "reference-mode or ablation runs (repeatable)")
  List<Path> merges = new ArrayList<>();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Also reachable as {@code trainer bench ...}. */
  public static void main(String[] args) {
    Devices.ensureOffline();
    System.exit(new CommandLine(new TrainerBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> names = BenchConfigs.expand(configs);
    String benchName = name != null ? name : data.toAbsolutePath().normalize().getFileName().toString();
    Path out = json != null ? json : Path.of("docs", "bench", "trainer-" + benchName + ".json");
    Path runs = runsDir != null ? runsDir : Path.of("runs", "bench-" + benchName);
    BenchResults results = BenchResults.load(out);
    for (Path other : merges) {
      if (!Files.exists(other)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--merge: no file " + other);
      }
      results.mergeRuns(BenchResults.load(other));
    }
    // the arguments as typed: after `trainer` they start with the subcommand's own name, run directly they do not
    List<String> typed = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
    if (!typed.isEmpty() && typed.get(0).equals("bench")) {
      typed.remove(0);
    }
    results.put("command", "trainer bench " + String.join(" ", typed));
    results.put("date", Instant.now().toString());
    results.put("dataset", data.toAbsolutePath().normalize().getFileName().toString());
    results.put("machine", machine());
    results.write(out);
    int total = names.size() * seeds.size();
    int k = 0;
    int failures = 0;
    for (String config : names) {
      for (long seed : seeds) {
        k++;
        if (resume && results.hasRun(config, seed)) {
          System.out.printf("[%d/%d] %s seed %d: already in %s, skipped%n", k, total, config, seed, out);
          continue;
        }
        Path done = imported(config, seed);
        if (done != null) {
          Map<String, Object> m = figures(done, Double.NaN);
          m.put("imported_from", done.toString());
          results.putRun(config, seed, m);
          results.write(out);
          System.out.printf("[%d/%d] %s seed %d: imported %s, test R@20 %s%n", k, total, config, seed, done,
              m.get("recall20"));
          continue;
        }
        Path dir = runs.resolve(config + "-seed" + seed);
        List<String> train = trainArgs(config, seed, dir);
        System.out.printf("[%d/%d] %s seed %d: trainer %s%n", k, total, config, seed, String.join(" ", train));
        Map<String, Object> m = runChild(train, dir);
        if (!m.containsKey("recall20")) {
          failures++;
        }
        results.putRun(config, seed, m);
        results.put("date", Instant.now().toString());
        results.write(out);
        System.out.printf("[%d/%d] %s seed %d: %s%n", k, total, config, seed,
            m.containsKey("recall20") ? "test R@20 " + m.get("recall20") + ", N@20 " + m.get("ndcg20") : m.get("error"));
      }
    }
    System.out.println();
    System.out.print(results.markdown());
    System.out.println("\nwritten " + out);
    return failures == 0 ? 0 : 1;
  }

  List<String> trainArgs(String config, long seed, Path dir) {
    List<String> a = new ArrayList<>(List.of("train", "--data", data.toString()));
    a.addAll(BenchConfigs.trainArgs(config));
    a.addAll(List.of("--seed", Long.toString(seed), "--no-progress", "--out", dir.toString()));
    if (maxEpochs != null) {
      a.addAll(List.of("--epochs", maxEpochs.toString()));
    }
    for (String s : sets) {
      a.addAll(List.of("--set", s));
    }
    return a;
  }

  /** Runs {@code trainer train} in a child JVM; its output is echoed and kept in run.log. */
  private Map<String, Object> runChild(List<String> train, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve("metrics.json"));
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx" + childHeap, "-XX:+UseParallelGC",
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), TrainerCli.class.getName()));
    cmd.addAll(train);
    Path log = dir.resolve("run.log");
    long t0 = System.nanoTime();
    // the child logs epochs on stderr: merge, echo live, keep a copy and the first "error" line
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    dev.crane.trainer.engine.NativeAllocator.applyTo(pb.environment()); // else each child would start a second JVM for them
    Process p = pb.start();
    String firstError = null;
    // stopping the benchmark (SIGTERM, Ctrl+C) stops the run in flight too, instead of leaving it training
    try (StopWithJvm stop = StopWithJvm.register(p, java.time.Duration.ofSeconds(30));
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        var copy = Files.newBufferedWriter(log)) {
      String line;
      while ((line = in.readLine()) != null) {
        System.out.println(line);
        copy.write(line);
        copy.newLine();
        copy.flush(); // epochs can be an hour apart: run.log must be readable while the run goes on
        if (firstError == null && line.startsWith("error")) {
          firstError = line;
        }
      }
    }
    int rc = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> m = new LinkedHashMap<>();
    Path metrics = dir.resolve("metrics.json");
    if (rc != 0 || !Files.exists(metrics)) {
      m.put("error", "exit " + rc + (firstError == null ? " (see " + log + ")" : ": " + firstError));
      m.put("command", "trainer " + String.join(" ", train));
      return m;
    }
    return figures(metrics, wall);
  }

  /** The first --import directory holding a finished run of this pair, or null. */
  private Path imported(String config, long seed) throws IOException {
    for (Path d : imports) {
      Path metrics = d.resolve(config + "-seed" + seed).resolve("metrics.json");
      if (Files.exists(metrics) && figures(metrics, Double.NaN).containsKey("recall20")) {
        return metrics;
      }
    }
    return null;
  }

  /** A run's benchmark figures from its metrics.json; wall is the child's wall time (NaN: unknown). */
  static Map<String, Object> figures(Path metrics, double wall) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    JsonNode j = new ObjectMapper().readTree(metrics.toFile());
    if (!j.has("test_recall@20") || j.path("best_epoch").asInt() < 0) {
      // e.g. a NaN loss before the first evaluation: no figures, not zeros
      m.put("error", "no evaluated epoch (stop reason " + j.path("stop_reason").asText() + ")");
      m.put("command", j.path("command").asText());
      return m;
    }
    for (int kk : new int[] {20, 10, 50}) {
      m.put("recall" + kk, j.path("test_recall@" + kk).asDouble());
      m.put("ndcg" + kk, j.path("test_ndcg@" + kk).asDouble());
    }
    m.put("valid_recall20", j.path("valid_recall@20").asDouble());
    m.put("best_epoch", j.path("best_epoch").asInt());
    m.put("epochs_run", j.path("epochs_run").asInt());
    double epochSeconds = 0;
    for (JsonNode h : j.path("history")) {
      epochSeconds += h.path("seconds").asDouble();
    }
    m.put("epoch_seconds", j.path("history").size() == 0 ? 0 : epochSeconds / j.path("history").size());
    m.put("train_seconds_per_epoch", j.path("train_seconds_per_epoch").asDouble());
    fullEpochEstimate(j, m);
    m.put("peak_rss_mb", Math.round(j.path("peak_rss_bytes").asLong() / 1e6));
    m.put("stop_reason", j.path("stop_reason").asText());
    if (!Double.isNaN(wall)) {
      m.put("wall_seconds", Math.round(wall));
    }
    m.put("command", j.path("command").asText());
    return m;
  }

  /**
   * For runs with the per-phase timings: seconds per training batch, and a full epoch's seconds (preparation
   * + every batch at the measured rate + evaluation), which is the measured epoch unless maxBatches capped it.
   */
  private static void fullEpochEstimate(JsonNode j, Map<String, Object> m) {
    int full = j.path("batches_per_full_epoch").asInt(0);
    double steps = 0;
    double batches = 0;
    double estimate = 0;
    int epochs = 0;
    for (JsonNode h : j.path("history")) {
      if (!h.has("batches") || full == 0) {
        return;
      }
      double prepare = h.path("prepare_seconds").asDouble();
      double step = h.path("step_seconds").asDouble();
      int b = h.path("batches").asInt();
      steps += step;
      batches += b;
      estimate += prepare + step / b * full + (h.path("seconds").asDouble() - prepare - step);
      epochs++;
    }
    if (epochs > 0) {
      m.put("batches_per_epoch_run", (int) Math.round(batches / epochs));
      m.put("batches_per_full_epoch", full);
      m.put("seconds_per_batch", steps / batches);
      m.put("full_epoch_seconds", estimate / epochs);
    }
  }

  /** CPU count and model, memory and load average now (ops' {@link dev.crane.ops.bench.Machine}). */
  static String machine() {
    return dev.crane.ops.bench.Machine.describe();
  }

  static String cpu(Path cpuinfo) {
    return dev.crane.ops.bench.Machine.cpu(cpuinfo);
  }
}
