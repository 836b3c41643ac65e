package dev.crane.stream.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The few Kafka Streams figures an operator looks at first, summed into plain gauges: input lag
 * and, per store, RocksDB keys and bytes on disk. (All of Kafka's metrics are bound as well.)
 */
public final class KafkaStreamsGauges {
  private KafkaStreamsGauges() {}

  public static void bind(KafkaStreams streams, MeterRegistry registry, String inputTopic, Iterable<String> stores) {
    Gauge.builder("crane_stream_consumer_lag", streams, s -> sum(s, n ->
            n.group().equals("consumer-fetch-manager-metrics") && n.name().equals("records-lag")
                && inputTopic.equals(n.tags().get("topic"))))
        .description("Records of topic " + inputTopic + " not yet read by this instance").register(registry);
    for (String store : stores) {
      Gauge.builder("crane_stream_store_entries", streams, s -> sum(s, rocks(store, "estimate-num-keys")))
          .tag("store", store).description("Estimated keys in the store's RocksDB instances"
              + " (for items: the items plus one position key per items partition)").register(registry);
      Gauge.builder("crane_stream_store_bytes", streams, s -> sum(s, rocks(store, "total-sst-files-size")))
          .tag("store", store).description("SST bytes of the store's RocksDB instances").register(registry);
    }
  }

  private static Predicate<MetricName> rocks(String store, String metric) {
    return n -> n.group().equals("stream-state-metrics") && n.name().equals(metric)
        && store.equals(n.tags().get("rocksdb-state-id"));
  }

  static double sum(KafkaStreams streams, Predicate<MetricName> which) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      if (which.test(e.getKey()) && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
        total += n.doubleValue();
      }
    }
    return total;
  }
}
