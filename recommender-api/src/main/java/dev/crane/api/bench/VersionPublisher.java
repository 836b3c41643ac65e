package dev.crane.api.bench;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.UserEmbedding;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a model version exactly as schemas/EMBEDDINGS.md says the trainer does: one
 * transaction with every user record, every item record, then the COMPLETE manifest. The trainer's
 * own publisher is another module's work; this one serves the tests and the benchmark, which need
 * versions before it exists (and it is how they check the API against the contract, not against
 * the trainer's code).
 */
public final class VersionPublisher implements AutoCloseable {
  private final Producer<String, SpecificRecord> producer;

  public VersionPublisher(String bootstrapServers, String schemaRegistryUrl) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "crane-version-publisher-" + UUID.randomUUID());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    // A million-item version takes longer than the default minute to send in one transaction.
    c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 600_000);
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    // A manifest carries its content projections: up to Topics.MANIFEST_MAX_BYTES.
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MANIFEST_MAX_BYTES);
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * Topics.MANIFEST_MAX_BYTES);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "dev.crane.schemas.serde.AvroSerializer");
    c.put("schema.registry.url", schemaRegistryUrl);
    c.put("auto.register.schemas", true);
    producer = new KafkaProducer<>(c);
    producer.initTransactions();
  }

  /**
   * Publishes a version in one transaction; the manifest's counts are those of the records sent
   * and its status COMPLETE.
   *
   * @param manifest the manifest without counts (they are filled in)
   */
  public void publish(ModelVersion.Builder manifest, Iterable<UserEmbedding> users, Iterable<ItemEmbedding> items) {
    producer.beginTransaction();
    try {
      long nu = 0;
      for (UserEmbedding u : users) {
        producer.send(new ProducerRecord<>(Topics.USER_EMBEDDINGS, u.getUserId(), u));
        nu++;
      }
      long ni = 0;
      for (ItemEmbedding i : items) {
        producer.send(new ProducerRecord<>(Topics.ITEM_EMBEDDINGS, i.getItemId(), i));
        ni++;
      }
      ModelVersion m = manifest.setUserCount(nu).setItemCount(ni).setStatus(ModelStatus.COMPLETE).build();
      producer.send(new ProducerRecord<>(Topics.MODEL_VERSIONS, Long.toString(m.getVersion()), m));
      producer.commitTransaction();
    } catch (RuntimeException e) {
      producer.abortTransaction();
      throw e;
    }
  }

  /** Sends records in a transaction that is then aborted: a read_committed consumer must never see them. */
  public void publishAborted(ModelVersion manifest, Iterable<UserEmbedding> users, Iterable<ItemEmbedding> items) {
    producer.beginTransaction();
    users.forEach(u -> producer.send(new ProducerRecord<>(Topics.USER_EMBEDDINGS, u.getUserId(), u)));
    items.forEach(i -> producer.send(new ProducerRecord<>(Topics.ITEM_EMBEDDINGS, i.getItemId(), i)));
    producer.send(new ProducerRecord<>(Topics.MODEL_VERSIONS, Long.toString(manifest.getVersion()), manifest));
    producer.flush();
    producer.abortTransaction();
  }

  @Override
  public void close() {
    producer.close();
  }
}
