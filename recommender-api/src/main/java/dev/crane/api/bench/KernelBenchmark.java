package dev.crane.api.bench;

import dev.crane.api.topk.Int8Rows;
import dev.crane.api.topk.Kernels;
import dev.crane.api.topk.ScoreKernel;
import dev.crane.ops.bench.Machine;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The exact scan's two passes alone, without the service around them: milliseconds per query of the
 * float scan and of the int8 first pass over one catalog, for a query alone and in passes of 2, 4
 * and 8 (as {@link dev.crane.api.topk.SharedScan} batches them), with the matrix left in cache from
 * the previous pass ("cached") and evicted before each pass ("evicted"; under load other work
 * evicts it). Every configuration takes its turn in each round, so a drift of the machine falls on
 * all alike; the figure is the median round's.
 */
public final class KernelBenchmark {
  /** Passes in one configuration's turn, per query count. */
  private static final int[] PASS_SIZES = {1, 2, 4, 8};
  private static final String[] CACHE = {"cached", "evicted"};
  /** Passes per configuration in the untimed first round, whatever --passes says: enough for C2 to compile both scans. */
  private static final int WARMUP_PASSES = 200;

  /** What to run. */
  public record Options(int rows, int dim, int rounds, int passesPerTurn, String command) {
    public Options {
      if (rows < 64 || dim < 1 || rounds < 1 || passesPerTurn < 1) {
        throw new IllegalArgumentException("rows >= 64, dim >= 1, rounds >= 1 and passes >= 1 required");
      }
    }
  }

  private final Options o;

  public KernelBenchmark(Options options) {
    this.o = options;
  }

  /** Runs every round and returns the flat figures; {@code progress} gets a line per round. */
  public Map<String, Object> run(Consumer<String> progress) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("command", o.command());
    figures.put("date", java.time.LocalDate.now().toString());
    figures.put("machine", Machine.describe());
    figures.put("load_average", Machine.loadAverages());
    ScoreKernel kernel = Kernels.best();
    figures.put("topk_kernel", kernel.name());
    figures.put("rows", o.rows());
    figures.put("dim", o.dim());
    figures.put("rounds", o.rounds());

    Random random = new Random(20261206L);
    float[] matrix = new float[o.rows() * o.dim()];
    for (int i = 0; i < matrix.length; i++) {
      matrix[i] = (float) random.nextGaussian();
    }
    Map<String, ScoreKernel.Scan> scans = new LinkedHashMap<>();
    scans.put("float", kernel.scan(matrix, o.rows(), o.dim()));
    scans.put("int8", kernel.approxScan(Int8Rows.of(matrix, o.rows(), o.dim())));
    int maxQueries = PASS_SIZES[PASS_SIZES.length - 1];
    float[][] queries = new float[maxQueries][o.dim()];
    for (float[] q : queries) {
      for (int j = 0; j < q.length; j++) {
        q[j] = (float) random.nextGaussian();
      }
    }
    int padded = scans.values().stream().mapToInt(ScoreKernel.Scan::paddedRows).max().orElseThrow();
    float[][] outs = new float[maxQueries][padded];
    byte[] evictor = new byte[64 << 20]; // twice the L3 of the EPYC this was written on

    String label = o.rows() % 1000 == 0 ? o.rows() / 1000 + "k" : Integer.toString(o.rows());
    Map<String, double[]> perRound = new LinkedHashMap<>();
    // one untimed round first: the kernels are compiled before anything is measured
    for (int round = -1; round < o.rounds(); round++) {
      for (String cache : CACHE) {
        for (var scan : scans.entrySet()) {
          for (int n : PASS_SIZES) {
            long nanos = 0;
            boolean warmup = round < 0;
            int passes = warmup ? Math.max(o.passesPerTurn(), WARMUP_PASSES) : o.passesPerTurn();
            for (int p = 0; p < passes; p++) {
              if (cache.equals("evicted") && !warmup) { // evicting is not what the JIT needs to see
                for (int i = 0; i < evictor.length; i += 64) {
                  evictor[i]++;
                }
              }
              long t0 = System.nanoTime();
              scan.getValue().scores(queries, outs, n);
              nanos += System.nanoTime() - t0;
            }
            if (!warmup) {
              String key = label + "_" + scan.getKey() + "_ms_per_query_n" + n + "_" + cache;
              perRound.computeIfAbsent(key, k -> new double[o.rounds()])[round] = nanos / 1e6 / o.passesPerTurn() / n;
            }
          }
        }
      }
      if (round >= 0) {
        progress.accept(String.format("round %d of %d done", round + 1, o.rounds()));
      }
    }
    perRound.forEach((key, rounds) -> {
      double[] sorted = rounds.clone();
      Arrays.sort(sorted);
      figures.put(key, round(sorted[sorted.length / 2], 1e5)); // 10 ns
    });
    for (String cache : CACHE) {
      for (int n : PASS_SIZES) {
        double f = (double) figures.get(label + "_float_ms_per_query_n" + n + "_" + cache);
        double i = (double) figures.get(label + "_int8_ms_per_query_n" + n + "_" + cache);
        figures.put(label + "_int8_to_float_n" + n + "_" + cache, round(i / f, 1e3));
      }
    }
    figures.put("load_average_after", Machine.loadAverages());
    return figures;
  }

  private static double round(double x, double scale) {
    return Math.round(x * scale) / scale;
  }
}
