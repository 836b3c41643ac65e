package dev.crane.api.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.crane.api.bench.ApiBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The benchmark of docs/benchmarks.md: an in-process broker and registry, the service, loopback load. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmark the service on this machine: 7k/63k/1M-item versions through the real topics, "
        + "open-loop load at 1k/2k/5k QPS and up to the highest sustained rate, a swap under load, fold-in "
        + "freshness, long histories, HNSW recall@20, the exact scan's int8 first pass against float and "
        + "against a server that answers at once (the harness's own floor), interleaved. Prints the figures and writes them as JSON. "
        + "Run it alone on a quiet machine (about 22 minutes with the 1M case, 14 without).")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "docs/bench/api.json", description = "JSON file (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--work", description = "Scratch directory for the broker, registry and stores (default: a new temporary one, deleted after).")
  Path work;

  @Option(names = "--users", defaultValue = "10000", description = "Users of each version (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--step-seconds", defaultValue = "10", description = "Measured seconds at each fixed rate (default ${DEFAULT-VALUE}).")
  int stepSeconds;

  @Option(names = "--skip-1m", description = "Leave out the 1M-item HNSW case (minutes of graph building).")
  boolean skipMillion;

  @Option(names = "--swap-rounds", defaultValue = "3",
      description = "Rounds of the swap under load, each a swap published from a child process and one from this JVM, "
          + "in alternating order; odd, 1..9 (default ${DEFAULT-VALUE}).")
  int swapRounds;

  @Option(names = "--swap-only", description = "Only the swap rounds, on a 63k version (about 6 minutes); "
      + "the other figures of --out are kept.")
  boolean swapOnly;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A setting of the services under test (e.g. exact.passes=2); repeatable.")
  Map<String, String> sets = new java.util.LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (users < 100 || stepSeconds < 1 || stepSeconds > 120 || swapRounds < 1 || swapRounds > 9 || swapRounds % 2 == 0) {
      throw new IllegalArgumentException("--users must be >= 100, --step-seconds 1..120 and --swap-rounds 1, 3, 5, 7 or 9"
          + " (odd: the figures are the median round's)");
    }
    boolean temporary = work == null;
    Path dir = temporary ? Files.createTempDirectory("crane-api-bench") : work;
    String command = "java --add-modules jdk.incubator.vector -Xmx8g -jar recommender-api/target/recommender-api.jar bench"
        + (skipMillion ? " --skip-1m" : "") + (swapOnly ? " --swap-only" : "")
        + sets.entrySet().stream().map(e -> " --set " + e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining())
        + " --users " + users + " --step-seconds " + stepSeconds + " --swap-rounds " + swapRounds + " --out " + out;
    try {
      Map<String, Object> figures = new ApiBenchmark(new ApiBenchmark.Options(out, dir, users,
          Duration.ofSeconds(stepSeconds), !skipMillion, swapRounds, swapOnly, command, sets)).run();
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Map<String, Object> all = figures;
      if (Files.exists(out)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> old = json.readValue(out.toFile(), java.util.LinkedHashMap.class);
        all = swapOnly ? mergedSwap(figures, old) : merged(figures, old, skipMillion);
      }
      json.writeValue(out.toFile(), all);
      System.out.println("wrote " + out);
      return 0;
    } finally {
      if (temporary) {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /**
   * The figures of a {@code --swap-only} run over an earlier file: its {@code swap_*} keys and its
   * command, date and load averages (as {@code swap_command}, ...) replace the earlier ones; every
   * other key stays.
   */
  static Map<String, Object> mergedSwap(Map<String, Object> figures, Map<String, Object> old) {
    Map<String, Object> all = new java.util.LinkedHashMap<>(old);
    figures.forEach((k, v) -> {
      if (k.startsWith("swap_")) {
        all.put(k, v);
      }
    });
    for (String k : List.of("command", "date", "load_average", "load_average_after", "jvm_args")) {
      all.put("swap_" + k, figures.get(k));
    }
    return all;
  }

  /**
   * This run's figures plus what an earlier file holds that this run does not measure: the fold-in
   * quality benchmark's keys (a separate command: it trains models), earlier runs and experiments
   * recorded for comparison ({@code other_runs_*}, and any entry holding an object or a list: this
   * run's figures are numbers and strings), and with {@code --skip-1m} the previous 1M figures,
   * marked with that run's date.
   */
  static Map<String, Object> merged(Map<String, Object> figures, Map<String, Object> old, boolean skipMillion) {
    Map<String, Object> all = new java.util.LinkedHashMap<>(figures);
    old.forEach((k, v) -> {
      boolean recorded = k.startsWith("other_runs_") || v instanceof Map || v instanceof List;
      if (k.startsWith("foldin_") || k.startsWith("nofoldin_") || k.startsWith("retrain_")
          || (recorded && !figures.containsKey(k))) {
        all.put(k, v);
      }
      if (skipMillion && k.startsWith("1m_") && !figures.containsKey(k)) {
        all.put(k, v);
        all.putIfAbsent("1m_date", old.getOrDefault("1m_date", old.get("date")));
      }
    });
    return all;
  }
}
