package dev.crane.stream.config;

import dev.crane.ops.config.LayeredSettings;
import dev.crane.schemas.Modality;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layers settings: built-in defaults, then an optional properties file, then environment variables
 * ({@code CRANE_STREAM_SNAPSHOT_INTERVAL_MS} sets {@code snapshot.interval.ms}), then explicit
 * overrides (CLI {@code --set key=value}). Unknown keys are an error (a typo must not be ignored),
 * except {@code kafka.*}, which goes to Kafka Streams.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "CRANE_STREAM_";

  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("application.id", "crane-stream");
    DEFAULTS.put("bootstrap.servers", "localhost:9092");
    DEFAULTS.put("schema.registry.url", "http://localhost:8081");
    DEFAULTS.put("state.dir", System.getProperty("java.io.tmpdir") + "/crane-stream-state");
    DEFAULTS.put("modalities", "image:128,audio:128");
    DEFAULTS.put("history.cap", "200");
    DEFAULTS.put("dedup.window.ms", Long.toString(Duration.ofHours(24).toMillis()));
    DEFAULTS.put("dedup.max.per.user", "1000");
    DEFAULTS.put("unknown-item.hold.ms", Long.toString(Duration.ofMinutes(5).toMillis()));
    DEFAULTS.put("unknown-item.check.interval.ms", "1000");
    // At most one profile per user per 5 s: a 4480-d profile is 36 KB, and at 1 s nearly every event of a
    // 19k-user catalog was its own emission (docs/benchmarks.md, issue #18: 8,848 -> 21,729 events/s on 1M events).
    DEFAULTS.put("profiles.emit.interval.ms", "5000");
    DEFAULTS.put("item-degree.flush.interval.ms", "1000");
    DEFAULTS.put("commit.interval.ms", "1000");
    DEFAULTS.put("standby.replicas", "0");
    DEFAULTS.put("stream.threads", "1");
    DEFAULTS.put("transaction.timeout.ms", "60000");
    DEFAULTS.put("registry.retry.ms", "30000");
    DEFAULTS.put("snapshot.dir", System.getProperty("java.io.tmpdir") + "/crane-snapshots");
    DEFAULTS.put("snapshot.interval.ms", Long.toString(Duration.ofMinutes(10).toMillis()));
    DEFAULTS.put("snapshot.every.interactions", "0");
    DEFAULTS.put("snapshot.keep", "5");
    DEFAULTS.put("metrics.port", "9404");
    DEFAULTS.put("users.cache.bytes", Long.toString(256L << 20));
    DEFAULTS.put("journal.checkpoint", "true");
    DEFAULTS.put("connect.timeout.ms", Long.toString(Duration.ofSeconds(15).toMillis()));
    // Partitions of the topics created at start-up when missing: bounds the instances that do work.
    DEFAULTS.put("topics.partitions", "2");
  }

  private ConfigLoader() {}

  public static java.util.Set<String> knownKeys() {
    return DEFAULTS.keySet();
  }

  /**
   * @param file properties file, or null
   * @param env the environment (System.getenv() in the app)
   * @param overrides highest-precedence settings
   */
  public static StreamConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> raw = new HashMap<>(DEFAULTS);
    raw.putAll(LayeredSettings.load(file, env, ENV_PREFIX, DEFAULTS.keySet(),
        overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
    return fromMap(raw);
  }

  /** Builds the config from flat keys (defaults filled in), rejecting unknown keys. */
  public static StreamConfig fromMap(Map<String, String> given) {
    Map<String, String> raw = new HashMap<>(DEFAULTS);
    raw.putAll(given);
    Map<String, String> kafka = new HashMap<>();
    Set<String> known = DEFAULTS.keySet();
    for (var e : raw.entrySet()) {
      if (e.getKey().startsWith("kafka.")) {
        kafka.put(e.getKey().substring("kafka.".length()), e.getValue());
      } else if (!known.contains(e.getKey())) {
        throw new IllegalArgumentException("stream-processor config: unknown key '" + e.getKey()
            + "'; known keys: " + known + " and kafka.* (passed to Kafka Streams)");
      }
    }
    return new StreamConfig(
        raw.get("application.id"),
        raw.get("bootstrap.servers"),
        raw.get("schema.registry.url"),
        Path.of(raw.get("state.dir")),
        modalities(raw.get("modalities")),
        integer(raw, "history.cap"),
        millis(raw, "dedup.window.ms"),
        integer(raw, "dedup.max.per.user"),
        millis(raw, "unknown-item.hold.ms"),
        millis(raw, "unknown-item.check.interval.ms"),
        millis(raw, "profiles.emit.interval.ms"),
        millis(raw, "item-degree.flush.interval.ms"),
        millis(raw, "commit.interval.ms"),
        integer(raw, "standby.replicas"),
        integer(raw, "stream.threads"),
        millis(raw, "transaction.timeout.ms"),
        millis(raw, "registry.retry.ms"),
        Path.of(raw.get("snapshot.dir")),
        millis(raw, "snapshot.interval.ms"),
        number(raw, "snapshot.every.interactions"),
        integer(raw, "snapshot.keep"),
        integer(raw, "metrics.port"),
        number(raw, "users.cache.bytes"),
        bool(raw, "journal.checkpoint"),
        millis(raw, "connect.timeout.ms"),
        integer(raw, "topics.partitions"),
        kafka);
  }

  private static final String ROLE = "stream-processor config";

  private static long number(Map<String, String> raw, String key) {
    return LayeredSettings.longValue(ROLE, raw, key);
  }

  private static boolean bool(Map<String, String> raw, String key) {
    return LayeredSettings.booleanValue(ROLE, raw, key);
  }

  private static int integer(Map<String, String> raw, String key) {
    return LayeredSettings.intValue(ROLE, raw, key);
  }

  private static Duration millis(Map<String, String> raw, String key) {
    return Duration.ofMillis(number(raw, key));
  }

  /** The shared parser's message, prefixed with the role and the key that was set. */
  private static List<Modality> modalities(String spec) {
    try {
      return Modality.parseList(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("stream-processor config: modalities: " + e.getMessage(), e);
    }
  }
}
