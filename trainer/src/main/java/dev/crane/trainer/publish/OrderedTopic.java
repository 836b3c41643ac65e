package dev.crane.trainer.publish;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.Topics;
import dev.crane.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one of the one-partition topics of manifests ({@code snapshots}, {@code model-versions})
 * from the beginning to its end as it is now, committed records only.
 */
final class OrderedTopic {
  /** A record and where it stands. */
  record Entry<T>(long offset, T value) {}

  private OrderedTopic() {}

  static <T extends SpecificRecord> List<Entry<T>> read(String topic, String bootstrapServers, String schemaRegistryUrl,
      Duration timeout) {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MANIFEST_MAX_BYTES + (1 << 20));
    AvroDeserializer<T> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", schemaRegistryUrl, "specific.avro.reader", true), false);
    List<Entry<T>> out = new ArrayList<>();
    try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(tp, timeout) < end) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException("reading " + topic + " took over " + timeout);
        }
        for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            out.add(new Entry<>(r.offset(), r.value()));
          }
        }
      }
    }
    return out;
  }
}
