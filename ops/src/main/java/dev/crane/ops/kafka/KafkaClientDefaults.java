package dev.crane.ops.kafka;

import java.util.HashMap;
import java.util.Map;

/** Settings every Kafka client of the project starts from (producers, consumers, admin, Streams). */
public final class KafkaClientDefaults {
  /**
   * Client telemetry push (KIP-714) is on by default since Kafka 3.7; brokers without a telemetry
   * plugin (the embedded one, most self-managed ones) answer with UnsupportedVersionException, which
   * the clients log as an error at start-up. The project's metrics go to Prometheus instead.
   */
  public static final String ENABLE_METRICS_PUSH = "enable.metrics.push";

  private KafkaClientDefaults() {}

  /** A mutable map holding the defaults, for the caller to add its own settings to. */
  public static Map<String, Object> common() {
    Map<String, Object> m = new HashMap<>();
    m.put(ENABLE_METRICS_PUSH, false);
    return m;
  }
}
