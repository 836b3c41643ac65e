package dev.crane.trainer.publish;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.ops.rate.Pacer;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelVersion;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes model versions through one transactional producer (schemas/EMBEDDINGS.md): every user
 * record, every item record, then the manifest, and the input offsets of whoever consumed the
 * snapshot, in one transaction. A read_committed reader sees the whole version or nothing of it;
 * a publisher killed mid-way leaves an open transaction that the next publisher with the same
 * transactional id aborts when it starts. After any failure this publisher is spent: close it and
 * make a new one.
 */
public final class VersionPublisher implements AutoCloseable {
  /** What a snapshot consumer commits with the version it led to. */
  public record Offsets(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {}

  private final Producer<String, SpecificRecord> producer;
  private final double recordsPerSecond;

  /**
   * @param recordsPerSecond pace of the embedding records, 0 = as fast as the broker takes them
   * @param overrides any producer or serializer setting
   */
  public VersionPublisher(String bootstrapServers, String schemaRegistryUrl, String transactionalId,
      double recordsPerSecond, Map<String, Object> overrides) {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // a manifest carries its content projections (Topics.MANIFEST_MAX_BYTES)
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MANIFEST_MAX_BYTES + (1 << 20));
    c.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // a 200k-user version takes a while to send: more than the 60 s default for one transaction
    c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(10).toMillis());
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "dev.crane.schemas.serde.AvroSerializer");
    c.put("schema.registry.url", schemaRegistryUrl);
    c.put("auto.register.schemas", true);
    c.putAll(overrides);
    this.producer = new KafkaProducer<>(c);
    this.recordsPerSecond = recordsPerSecond;
    producer.initTransactions(); // fences and aborts whatever a previous incarnation left open
  }

  /** Version {@code v} whole, then its COMPLETE manifest, with the consumer's offsets when given. */
  public void publish(VersionData v, Offsets offsets) {
    transaction(offsets, () -> {
      Pacer pacer = new Pacer(recordsPerSecond);
      for (int u = 0; u < v.userCount(); u++) {
        producer.send(new ProducerRecord<>(Topics.USER_EMBEDDINGS, v.userIds().get(u), v.user(u)));
        pacer.await();
      }
      for (int i = 0; i < v.itemCount(); i++) {
        producer.send(new ProducerRecord<>(Topics.ITEM_EMBEDDINGS, v.itemIds().get(i), v.item(i)));
        pacer.await();
      }
      producer.send(new ProducerRecord<>(Topics.MODEL_VERSIONS, Long.toString(v.version()), v.manifest()));
    });
  }

  /** A manifest alone (a REJECTED decision), with the consumer's offsets when given. */
  public void publishManifest(ModelVersion manifest, Offsets offsets) {
    transaction(offsets, () -> producer.send(
        new ProducerRecord<>(Topics.MODEL_VERSIONS, Long.toString(manifest.getVersion()), manifest)));
  }

  /** The consumer's offsets alone (a snapshot skipped). */
  public void commitOffsets(Offsets offsets) {
    transaction(offsets, () -> {});
  }

  private void transaction(Offsets offsets, Runnable body) {
    producer.beginTransaction();
    try {
      body.run();
      if (offsets != null && !offsets.offsets().isEmpty()) {
        producer.sendOffsetsToTransaction(offsets.offsets(), offsets.group());
      }
      producer.commitTransaction(); // flushes first; a failed send fails here
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException ignored) {
        // fenced or fatal: nothing was committed either way, and this publisher is spent
      }
      throw e;
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
