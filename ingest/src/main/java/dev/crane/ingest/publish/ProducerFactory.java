package dev.crane.ingest.publish;

import dev.crane.ops.kafka.KafkaClientDefaults;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer ingest publishes with: idempotent with acks=all (a retried batch is never written
 * twice, nothing acknowledged is lost), string keys, Avro values in the schema-registry wire format.
 */
public final class ProducerFactory {
  /** The project's Avro serializer; a user may swap in Confluent's with {@code value.serializer}. */
  public static final String AVRO_SERIALIZER = "dev.crane.schemas.serde.AvroSerializer";

  private ProducerFactory() {}

  /**
   * @param overrides any producer or serializer setting (wins over the defaults)
   */
  public static Producer<String, SpecificRecord> create(
      String bootstrapServers, String schemaRegistryUrl, Map<String, Object> overrides) {
    Map<String, Object> config = KafkaClientDefaults.common();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Batches of a few hundred KB keep 16 KB feature records flowing at full speed.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AVRO_SERIALIZER);
    config.put("schema.registry.url", schemaRegistryUrl);
    config.put("auto.register.schemas", true);
    config.putAll(overrides);
    return new KafkaProducer<>(config);
  }
}
