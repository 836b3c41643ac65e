package dev.crane.api.testing;

import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces interactions and item features as ingest does (Avro through the real registry), and raw garbage. */
public final class Events implements AutoCloseable {
  private final Producer<String, SpecificRecord> producer;
  private final Producer<byte[], byte[]> raw;

  public Events(String bootstrap, String registryUrl) {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "dev.crane.schemas.serde.AvroSerializer");
    c.put("schema.registry.url", registryUrl);
    c.put("auto.register.schemas", true);
    producer = new KafkaProducer<>(c);
    raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends one interaction and waits for the broker's acknowledgement. */
  public void interaction(String user, String item) {
    Interaction i = Interaction.newBuilder().setEventId(UUID.randomUUID().toString()).setUserId(user)
        .setItemId(item).setEventTime(java.time.Instant.now()).build();
    send(Topics.INTERACTIONS, user, i);
  }

  public void itemFeatures(String item, Map<String, float[]> features) {
    ItemFeatures f = ItemFeatures.newBuilder().setItemId(item).setFeatures(features.entrySet().stream()
        .map(e -> Vectors.floatVector(e.getKey(), e.getValue(), 0, e.getValue().length)).toList()).build();
    send(Topics.ITEMS, item, f);
  }

  private void send(String topic, String key, SpecificRecord value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes that are not a Confluent-framed Avro record. */
  public void garbage(String topic, String key) {
    try {
      raw.send(new ProducerRecord<>(topic, key.getBytes(), new byte[] {0, 0, 0, 0, 1, 42, 42})).get();
      raw.send(new ProducerRecord<>(topic, key.getBytes(), "not avro".getBytes())).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    producer.close();
    raw.close();
  }

  /** Polls {@code check} until it holds or the timeout passes. */
  public static void await(String what, long timeoutMs, java.util.function.BooleanSupplier check) {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!check.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  public static List<Float> list(float[] v) {
    return dev.crane.api.bench.SyntheticModel.list(v);
  }
}
