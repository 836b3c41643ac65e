package dev.crane.api.config;

import dev.crane.ops.config.LayeredSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Layers the settings as the other services do: defaults, then a properties file, then
 * environment variables ({@code CRANE_API_K_MAX} sets {@code k.max}), then flags. An unknown key is
 * an error (a typo must not pass silently), except {@code kafka.*}, which goes to the consumers.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "CRANE_API_";

  /** A setting: its key, default and meaning (the CLI's help and the README list them). */
  public record Key(String name, String defaultValue, String description) {}

  public static final List<Key> KEYS = List.of(
      new Key("bootstrap.servers", "localhost:9092", "Kafka brokers"),
      new Key("schema.registry.url", "http://localhost:8081", "Confluent-compatible schema registry"),
      new Key("grpc.host", "0.0.0.0", "address the gRPC server binds"),
      new Key("grpc.port", "50051", "gRPC port (0: any free port)"),
      new Key("grpc.threads", "0", "threads computing replies (0: four per core)"),
      new Key("metrics.port", "9406", "Prometheus /metrics and /health port (-1: off, 0: any free port)"),
      new Key("state.dir", System.getProperty("java.io.tmpdir") + "/crane-api-state",
          "local RocksDB store (versions, seen items, offsets)"),
      new Key("k.max", "1000", "largest k a request may ask for"),
      new Key("previous.version.keep.ms", "600000", "how long a replaced version answers pinned requests"),
      new Key("exact.passes", "0",
          "exact scans at once, each shared by the queries waiting when it starts (0: one per core)"),
      new Key("exact.int8.min.items", "20000",
          "catalog size from which the exact scan reads an int8 copy first, then rescores in float (same result)"),
      new Key("hnsw.min.items", "200000", "catalog size from which top-k uses HNSW, not the exact scan"),
      new Key("hnsw.max.degree", "16", "HNSW graph degree (M)"),
      new Key("hnsw.beam.width", "100", "HNSW construction beam (efConstruction)"),
      new Key("hnsw.search.beam", "200", "HNSW search beam (efSearch), widened by the user's seen items"),
      new Key("hnsw.build.threads", "0", "threads building a graph (0: half the cores; queries keep the rest)"),
      new Key("coldstart.neighbours", "10", "trained items a cold-start item's parts are taken from"),
      new Key("load.pause.ratio", "1.0",
          "reading a version, pause this many times each batch's time (1: at most half a core; 0: full speed); "
              + "only where the feed does not run at load.cpu.priority=idle"),
      new Key("load.cpu.priority", "idle",
          "CPU priority of the thread that reads and indexes a version: idle (Linux SCHED_IDLE: only cores the "
              + "queries leave idle), low (nice 19) or normal"),
      new Key("store.background.nice", "true",
          "the local store's flushes and compactions at the lowest CPU priority (RocksDB's default Env: every "
              + "RocksDB store in the JVM; off where other stores share it)"),
      new Key("shutdown.grace.ms", "10000", "how long shutdown waits for calls in flight"),
      new Key("connect.timeout.ms", "15000", "start-up gives up in one line when the broker or the registry does not answer"));

  private ConfigLoader() {}

  /**
   * @param file a properties file, or null
   * @param env the environment ({@code System.getenv()} in the service)
   * @param overrides the flags (highest precedence)
   */
  public static ApiConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    return load(file, env, overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
  }

  /** The same with the flags as given on the command line ({@code key=value}). */
  public static ApiConfig load(Path file, Map<String, String> env, Iterable<String> sets) {
    return fromMap(LayeredSettings.load(file, env, ENV_PREFIX,
        KEYS.stream().map(Key::name).collect(Collectors.toSet()), sets));
  }

  /** The config from flat keys, defaults filled in; unknown keys are errors. */
  public static ApiConfig fromMap(Map<String, String> given) {
    Map<String, String> raw = new HashMap<>();
    KEYS.forEach(k -> raw.put(k.name(), k.defaultValue()));
    Map<String, String> kafka = new HashMap<>();
    for (var e : given.entrySet()) {
      if (e.getKey().startsWith("kafka.")) {
        kafka.put(e.getKey().substring("kafka.".length()), e.getValue());
      } else if (raw.containsKey(e.getKey())) {
        raw.put(e.getKey(), e.getValue());
      } else {
        throw new IllegalArgumentException("recommender-api config: unknown key '" + e.getKey() + "'; known keys: "
            + KEYS.stream().map(Key::name).toList() + " and kafka.* (consumer settings)");
      }
    }
    return new ApiConfig(
        raw.get("bootstrap.servers").strip(),
        raw.get("schema.registry.url").strip(),
        raw.get("grpc.host").strip(),
        integer(raw, "grpc.port"),
        integer(raw, "grpc.threads"),
        integer(raw, "metrics.port"),
        Path.of(raw.get("state.dir").strip()),
        integer(raw, "k.max"),
        Duration.ofMillis(number(raw, "previous.version.keep.ms")),
        integer(raw, "exact.passes"),
        integer(raw, "exact.int8.min.items"),
        integer(raw, "hnsw.min.items"),
        integer(raw, "hnsw.max.degree"),
        integer(raw, "hnsw.beam.width"),
        integer(raw, "hnsw.search.beam"),
        integer(raw, "hnsw.build.threads"),
        integer(raw, "coldstart.neighbours"),
        decimal(raw, "load.pause.ratio"),
        CpuPriority.parse(raw.get("load.cpu.priority")),
        LayeredSettings.booleanValue(ROLE, raw, "store.background.nice"),
        Duration.ofMillis(number(raw, "shutdown.grace.ms")),
        Duration.ofMillis(number(raw, "connect.timeout.ms")),
        kafka);
  }

  private static final String ROLE = "recommender-api config";

  private static long number(Map<String, String> raw, String key) {
    return LayeredSettings.longValue(ROLE, raw, key);
  }

  private static double decimal(Map<String, String> raw, String key) {
    return LayeredSettings.doubleValue(ROLE, raw, key);
  }

  private static int integer(Map<String, String> raw, String key) {
    return LayeredSettings.intValue(ROLE, raw, key);
  }
}
