package dev.crane.standalone;

import dev.crane.ops.kafka.KafkaClientDefaults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Committed records per topic, counted by reading them (read_committed, values not decoded): the
 * offsets alone would also count transaction markers, which the stream processor and the trainer
 * write with every commit.
 */
final class TopicCounts {
  private TopicCounts() {}

  static Map<String, Long> of(String bootstrapServers, List<String> topics) {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    Map<String, Long> counts = new LinkedHashMap<>();
    try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (String topic : topics) {
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        long n = 0;
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
          n += consumer.poll(Duration.ofMillis(200)).count();
        }
        counts.put(topic, n);
      }
    }
    return counts;
  }
}
