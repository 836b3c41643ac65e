package dev.crane.trainer.publish;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed manifest on {@code model-versions}, read to its end (one partition, read_committed). */
public final class ManifestLog {
  private final List<ModelVersion> manifests;

  private ManifestLog(List<ModelVersion> manifests) {
    this.manifests = List.copyOf(manifests);
  }

  public static ManifestLog read(String bootstrapServers, String schemaRegistryUrl, Duration timeout) {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MANIFEST_MAX_BYTES + (1 << 20));
    AvroDeserializer<ModelVersion> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", schemaRegistryUrl, "specific.avro.reader", true), false);
    List<ModelVersion> out = new ArrayList<>();
    try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
      TopicPartition tp = new TopicPartition(Topics.MODEL_VERSIONS, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(tp, timeout) < end) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException("reading " + Topics.MODEL_VERSIONS + " took over " + timeout);
        }
        for (ConsumerRecord<String, ModelVersion> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            out.add(r.value());
          }
        }
      }
    }
    return new ManifestLog(out);
  }

  public List<ModelVersion> all() {
    return manifests;
  }

  /** The largest version number used, COMPLETE or REJECTED; 0 when none. */
  public long lastVersion() {
    return manifests.stream().mapToLong(ModelVersion::getVersion).max().orElse(0);
  }

  /** The newest COMPLETE version: what the API serves. */
  public Optional<ModelVersion> serving() {
    return manifests.stream().filter(m -> m.getStatus() == dev.crane.schemas.avro.ModelStatus.COMPLETE)
        .reduce((a, b) -> b.getVersion() > a.getVersion() ? b : a);
  }

  /** The newest manifest of any status: the last decision. */
  public Optional<ModelVersion> latest() {
    return manifests.stream().reduce((a, b) -> b.getVersion() > a.getVersion() ? b : a);
  }
}
