package dev.crane.schemas.serde;

import dev.crane.schemas.registry.RegisteredSchema;
import dev.crane.schemas.registry.SchemaRegistryClient;
import dev.crane.schemas.registry.SchemaRegistryException;
import dev.crane.schemas.registry.TopicNameStrategy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated SpecificRecord classes or GenericRecord) in the Confluent wire
 * format, registering or looking up the schema under {@code <topic>-key}/{@code <topic>-value}.
 *
 * <p>The registry is called once per (topic, schema); after that a record costs one Avro encoding
 * into a per-thread reused buffer and encoder. Thread-safe, as Kafka producers require.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
  /** Per-thread output buffer and encoder, reused across records and serializer instances. */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    final byte[] header = new byte[WireFormat.HEADER_SIZE];
    BinaryEncoder encoder;
  }

  private record TopicSchema(String topic, Schema schema) {}

  private SchemaRegistryClient client;
  private boolean isKey;
  private boolean autoRegister = true;
  private boolean useLatestVersion;
  private boolean configured;
  private final Map<TopicSchema, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();

  /** For Kafka's reflective instantiation; {@link #configure} must follow. */
  public AvroSerializer() {}

  /** Uses (and shares) an existing client; {@link #configure} then needs no registry URL. */
  public AvroSerializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(SerdeConfigs.withUrlOf(client, configs));
    if (client == null) {
      client = new SchemaRegistryClient(config.clientSettings());
    }
    this.isKey = isKey;
    this.autoRegister = config.autoRegisterSchemas();
    this.useLatestVersion = config.useLatestVersion();
    this.configured = true;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null; // tombstones stay tombstones
    }
    if (!configured) {
      throw new IllegalStateException("AvroSerializer used before configure()");
    }
    Schema schema = data.getSchema();
    int id = schemaId(topic, schema);
    Buffers b = BUFFERS.get();
    b.out.reset();
    WireFormat.writeHeader(b.header, id);
    b.out.write(b.header, 0, WireFormat.HEADER_SIZE);
    b.encoder = EncoderFactory.get().binaryEncoder(b.out, b.encoder);
    try {
      writer(data).write(data, b.encoder);
      b.encoder.flush();
    } catch (IOException | RuntimeException e) {
      b.encoder = null; // its buffer may hold half a record
      throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '"
          + topic + "' (schema id " + id + "): " + e, e);
    }
    return b.out.toByteArray();
  }

  private int schemaId(String topic, Schema schema) {
    TopicSchema key = new TopicSchema(topic, schema);
    Integer id = ids.get(key);
    if (id == null) {
      id = fetchId(topic, schema);
      ids.put(key, id);
    }
    return id;
  }

  private int fetchId(String topic, Schema schema) {
    String subject = TopicNameStrategy.subject(topic, isKey);
    try {
      if (autoRegister) {
        return client.register(subject, schema);
      }
      if (!useLatestVersion) {
        return client.lookupId(subject, schema);
      }
      RegisteredSchema latest = client.latest(subject);
      // Writing with our schema under the latest's id is only right when both encode alike.
      if (!SchemaNormalization.toParsingForm(latest.schema()).equals(SchemaNormalization.toParsingForm(schema))) {
        throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '"
            + topic + "': use.latest.version is set but the record's schema differs from version "
            + latest.version() + " (id " + latest.id() + ") of subject '" + subject + "'");
      }
      return latest.id();
    } catch (SchemaRegistryException e) {
      throw new SerializationException("Cannot serialize " + schema.getFullName() + " for topic '"
          + topic + "': no schema id for subject '" + subject + "': " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private DatumWriter<Object> writer(T data) {
    Schema schema = data.getSchema();
    if (data instanceof SpecificRecord) {
      // The class's own SpecificData carries its logical-type conversions (e.g. Instant).
      return specificWriters.computeIfAbsent(schema, s ->
          new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass())));
    }
    return genericWriters.computeIfAbsent(schema, s -> new GenericDatumWriter<>(s, GenericData.get()));
  }

  /** The registry client in use (shared with the serde's deserializer). */
  public SchemaRegistryClient client() {
    return client;
  }

  @Override
  public void close() {
    // Nothing to release: the HTTP transport is shared JVM-wide and the buffers are per thread.
  }
}
