package dev.crane.trainer.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flat benchmark JSON ({@code docs/bench/trainer-<name>.json}). Each finished run is stored under
 * per-seed keys {@code <config>_seed<S>_<metric>}; aggregates over the seeds present
 * ({@code <config>_<metric>_mean}, {@code _std}, {@code <config>_peak_rss_mb}, the headline
 * {@code <config>_recall20} / {@code _ndcg20} equal to the means, ...) are recomputed
 * from them on every write. Loading an existing file and adding runs therefore merges: a re-run of
 * the same config and seed replaces that seed, other seeds and unknown keys are kept.
 */
public final class BenchResults {
  /** Per-seed metrics that get a mean (and std) over seeds. */
  static final List<String> AVERAGED = List.of("recall20", "ndcg20", "recall10", "ndcg10", "recall50", "ndcg50",
      "valid_recall20", "best_epoch", "epochs_run", "epoch_seconds", "train_seconds_per_epoch");
  /** Of those, the ones that also get a sample standard deviation. */
  static final Set<String> WITH_STD = Set.of("recall20", "ndcg20", "recall10", "ndcg10", "recall50", "ndcg50",
      "valid_recall20");
  /**
   * Metrics whose mean is also written under the plain key {@code <config>_<metric>} (the headline
   * figures issue #4 names, e.g. {@code crane_recall20}), so a reader need not know the _mean suffix.
   */
  static final Set<String> HEADLINE = Set.of("recall20", "ndcg20");
  /** Extra headline prefixes: reference mode's headline is its modalities axis, the one run to convergence. */
  static final Map<String, String> HEADLINE_ALIAS = Map.of("crane_ref_modalities", "crane_ref");
  private static final Pattern SEED_KEY = Pattern.compile("^(.+)_seed(-?\\d+)_(.+)$");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Object> top = new LinkedHashMap<>();
  /** config -> seed -> metric -> value, configs in first-seen order. */
  private final Map<String, Map<Long, Map<String, Object>>> runs = new LinkedHashMap<>();

  public static BenchResults load(Path file) throws IOException {
    BenchResults r = new BenchResults();
    if (!Files.exists(file)) {
      return r;
    }
    Map<String, Object> m = JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    for (Map.Entry<String, Object> e : m.entrySet()) {
      Matcher k = SEED_KEY.matcher(e.getKey());
      if (k.matches()) {
        r.runs.computeIfAbsent(k.group(1), c -> new LinkedHashMap<>())
            .computeIfAbsent(Long.parseLong(k.group(2)), s -> new LinkedHashMap<>()).put(k.group(3), e.getValue());
      }
    }
    // the aggregates are recomputed from the runs on every write; any other key (another tool's, such as
    // bench-breakdown's crane_<component>_seconds in the cost file) is kept
    Set<String> derived = r.flat().keySet();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (!SEED_KEY.matcher(e.getKey()).matches() && !derived.contains(e.getKey()) && !e.getKey().equals(SPEEDUP)) {
        r.top.put(e.getKey(), e.getValue());
      }
    }
    return r;
  }

  public void put(String key, Object value) {
    top.put(key, value);
  }

  /** Records one run's figures (replacing an earlier run of the same config and seed). */
  public void putRun(String config, long seed, Map<String, Object> metrics) {
    runs.computeIfAbsent(config, c -> new LinkedHashMap<>()).put(seed, new LinkedHashMap<>(metrics));
  }

  /** Takes every run of {@code other} (replacing runs of the same config and seed); its top-level keys are not taken. */
  public void mergeRuns(BenchResults other) {
    other.runs.forEach((config, bySeed) -> bySeed.forEach((seed, m) -> putRun(config, seed, m)));
  }

  public boolean hasRun(String config, long seed) {
    Map<String, Object> r = runs.getOrDefault(config, Map.of()).get(seed);
    return r != null && r.containsKey("recall20");
  }

  /** Top-level keys, then per config its aggregates followed by its per-seed keys. */
  public Map<String, Object> flat() {
    Map<String, Object> out = new LinkedHashMap<>(top);
    for (Map.Entry<String, Map<Long, Map<String, Object>>> c : runs.entrySet()) {
      String name = c.getKey();
      Map<Long, Map<String, Object>> ok = new TreeMap<>();
      c.getValue().forEach((s, m) -> {
        if (m.containsKey("recall20")) {
          ok.put(s, m);
        }
      });
      out.put(name + "_seeds", ok.keySet().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse(""));
      out.put(name + "_runs", ok.size());
      for (String metric : AVERAGED) {
        List<Double> v = new ArrayList<>();
        ok.values().forEach(m -> {
          if (m.get(metric) instanceof Number n) {
            v.add(n.doubleValue());
          }
        });
        if (v.isEmpty()) {
          continue;
        }
        double avg = round(mean(v));
        if (HEADLINE.contains(metric)) {
          out.put(name + "_" + metric, avg);
          if (HEADLINE_ALIAS.containsKey(name)) {
            out.put(HEADLINE_ALIAS.get(name) + "_" + metric, avg);
          }
        }
        out.put(name + "_" + metric + "_mean", avg);
        if (WITH_STD.contains(metric)) {
          out.put(name + "_" + metric + "_std", round(std(v)));
        }
      }
      double rss = ok.values().stream().filter(m -> m.get("peak_rss_mb") instanceof Number)
          .mapToDouble(m -> ((Number) m.get("peak_rss_mb")).doubleValue()).max().orElse(Double.NaN);
      if (!Double.isNaN(rss)) {
        out.put(name + "_peak_rss_mb", rss);
      }
      for (Map.Entry<Long, Map<String, Object>> s : new TreeMap<>(c.getValue()).entrySet()) {
        s.getValue().forEach((k, v) -> out.put(name + "_seed" + s.getKey() + "_" + k, v));
      }
    }
    // the cost benchmark's target (paper mode >= 6x faster than the published code's items axis)
    if (out.get("crane_train_seconds_per_epoch_mean") instanceof Number paper
        && out.get("crane_ref_items_train_seconds_per_epoch_mean") instanceof Number ref) {
      out.put(SPEEDUP, Math.round(ref.doubleValue() / paper.doubleValue() * 100) / 100.0);
    }
    return out;
  }

  static final String SPEEDUP = "paper_vs_ref_items_train_speedup";

  /** Writes atomically (temp file, then rename), creating the directory. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    JSON.writeValue(tmp.toFile(), flat());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A markdown table of the aggregates, one row per config. */
  public String markdown() {
    Map<String, Object> f = flat();
    StringBuilder sb = new StringBuilder(
        "| config | seeds | test R@20 | test N@20 | test R@10 | test N@10 | best epoch | epochs | s/epoch | peak RSS MB |\n"
        + "|---|---|---|---|---|---|---|---|---|---|\n");
    for (String c : runs.keySet()) {
      sb.append("| ").append(c).append(" | ").append(f.get(c + "_seeds"))
          .append(" | ").append(pm(f, c, "recall20")).append(" | ").append(pm(f, c, "ndcg20"))
          .append(" | ").append(pm(f, c, "recall10")).append(" | ").append(pm(f, c, "ndcg10"))
          .append(" | ").append(num(f.get(c + "_best_epoch_mean"), "%.1f"))
          .append(" | ").append(num(f.get(c + "_epochs_run_mean"), "%.1f"))
          .append(" | ").append(num(f.get(c + "_epoch_seconds_mean"), "%.1f"))
          .append(" | ").append(num(f.get(c + "_peak_rss_mb"), "%.0f")).append(" |\n");
    }
    return sb.toString();
  }

  private static String pm(Map<String, Object> f, String c, String metric) {
    Object mean = f.get(c + "_" + metric + "_mean");
    if (mean == null) {
      return "–";
    }
    Object std = f.get(c + "_" + metric + "_std");
    int n = ((Number) f.get(c + "_runs")).intValue();
    return n > 1 ? String.format("%.4f ± %.4f", mean, std) : String.format("%.4f", mean);
  }

  private static String num(Object v, String fmt) {
    return v instanceof Number n ? String.format(fmt, n.doubleValue()) : "–";
  }

  static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** Sample standard deviation (n - 1); 0 for a single value. */
  static double std(List<Double> v) {
    if (v.size() < 2) {
      return 0;
    }
    double m = mean(v);
    double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
    return Math.sqrt(ss / (v.size() - 1));
  }

  private static double round(double x) {
    return Math.round(x * 1e6) / 1e6;
  }
}
