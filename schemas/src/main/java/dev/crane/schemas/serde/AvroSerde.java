package dev.crane.schemas.serde;

import dev.crane.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link AvroSerializer} and {@link AvroDeserializer} as one Kafka {@link Serde}, sharing one
 * registry client (so a schema registered by the serializer is already known to the deserializer).
 */
public class AvroSerde<T extends GenericContainer> implements Serde<T> {
  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  /** For Kafka's reflective instantiation; reads GenericRecord or, per config, generated classes. */
  public AvroSerde() {
    this(null, null);
  }

  /** A serde of one generated class. */
  public AvroSerde(Class<T> recordClass) {
    this(null, recordClass);
  }

  /**
   * @param client a shared registry client, or null to create one from the configuration
   * @param recordClass generated class to read into, or null to follow {@code specific.avro.reader}
   */
  public AvroSerde(SchemaRegistryClient client, Class<T> recordClass) {
    this.serializer = new AvroSerializer<>(client);
    this.deserializer = new AvroDeserializer<>(client, recordClass);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    // The serializer now has a client (given or made from configs); the deserializer shares it.
    deserializer.useClient(serializer.client());
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }
}
