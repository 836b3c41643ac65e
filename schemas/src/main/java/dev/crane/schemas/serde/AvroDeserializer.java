package dev.crane.schemas.serde;

import dev.crane.schemas.registry.SchemaRegistryClient;
import dev.crane.schemas.registry.SchemaRegistryException;
import dev.crane.schemas.registry.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro: the writer schema comes from the registry by the id in the header,
 * the reader schema is a generated class's (schema resolution fills defaults for fields the writer
 * lacked) or, for GenericRecord, the writer's own.
 *
 * <p>Which type comes back: with a reader class given to the constructor, always that class; with
 * a reader schema and a datum reader factory, what that factory's readers make (for a decoding
 * that the generated classes cannot do, such as float arrays without boxing); otherwise with
 * {@code specific.avro.reader=true} the generated class named like the writer schema, else
 * {@code GenericRecord}.
 *
 * <p>Every failure is a Kafka {@link SerializationException} naming topic, schema id and cause, so
 * a stream's deserialization handler can dead-letter the record. When the registry itself is down
 * the cause is a {@link SchemaRegistryUnavailableException}: that is not the record's fault, and a
 * handler should stop rather than dead-letter (see {@link #isRegistryUnavailable}).
 *
 * <p>A datum reader per writer id is built once and cached; decoders are reused per thread.
 * Thread-safe.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
  private static final ThreadLocal<BinaryDecoder[]> DECODER = ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

  static {
    DecodeLimits.apply(); // a corrupt length prefix must not make Avro allocate gigabytes
  }

  /** How to read one writer id: a reader, or why it cannot be read (cached, it will not change). */
  private record ReadPlan(DatumReader<?> reader, String error) {}

  private final Class<? extends SpecificRecord> readerClass;
  private final Schema readerSchema;
  private final BiFunction<Schema, Schema, DatumReader<T>> readers;
  private SchemaRegistryClient client;
  private boolean specific;
  private boolean configured;
  private final Map<Integer, ReadPlan> plans = new ConcurrentHashMap<>();

  /** For Kafka's reflective instantiation; {@link #configure} must follow. */
  public AvroDeserializer() {
    this((SchemaRegistryClient) null, null);
  }

  /** Always reads into {@code readerClass} (a generated SpecificRecord class). */
  public AvroDeserializer(Class<T> readerClass) {
    this(null, readerClass);
  }

  /**
   * @param client a shared registry client, or null to create one from the configuration
   * @param readerClass generated class to read into, or null to follow {@code specific.avro.reader}
   */
  public AvroDeserializer(SchemaRegistryClient client, Class<T> readerClass) {
    if (readerClass != null && !SpecificRecord.class.isAssignableFrom(readerClass)) {
      throw new IllegalArgumentException(readerClass.getName() + " is not a generated Avro SpecificRecord class");
    }
    @SuppressWarnings("unchecked")
    Class<? extends SpecificRecord> rc = (Class<? extends SpecificRecord>) readerClass;
    this.readerClass = rc;
    this.readerSchema = null;
    this.readers = null;
    this.client = client;
  }

  /**
   * Reads with datum readers of the caller's making: {@code readers} gets (writer schema, {@code
   * readerSchema}), normally once per writer schema id, after the check that data of that writer
   * schema can be read with {@code readerSchema}; what it throws becomes that id's error. The
   * readers must be thread-safe if the deserializer is shared.
   */
  public static <T> AvroDeserializer<T> withReaders(Schema readerSchema,
      BiFunction<Schema, Schema, DatumReader<T>> readers) {
    return new AvroDeserializer<>(Objects.requireNonNull(readerSchema, "readerSchema"),
        Objects.requireNonNull(readers, "readers"));
  }

  private AvroDeserializer(Schema readerSchema, BiFunction<Schema, Schema, DatumReader<T>> readers) {
    this.readerClass = null;
    this.readerSchema = readerSchema;
    this.readers = readers;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(SerdeConfigs.withUrlOf(client, configs));
    if (client == null) {
      client = new SchemaRegistryClient(config.clientSettings());
    }
    this.specific = config.specificAvroReader();
    this.configured = true;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (!configured) {
      throw new IllegalStateException("AvroDeserializer used before configure()");
    }
    int id = WireFormat.schemaId(topic, data);
    ReadPlan plan = plan(topic, id);
    if (plan.error() != null) {
      throw new SerializationException("Cannot deserialize record of topic '" + topic + "': " + plan.error());
    }
    BinaryDecoder[] holder = DECODER.get();
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(
        data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, holder[0]);
    holder[0] = decoder;
    Object value;
    boolean atEnd;
    try {
      value = plan.reader().read(null, decoder);
      atEnd = decoder.isEnd();
    } catch (IOException | RuntimeException e) {
      // EOF on truncated data, AvroRuntimeException / index errors on corrupt data
      throw new SerializationException("Cannot deserialize record of topic '" + topic
          + "' with schema id " + id + ": " + data.length + " bytes are truncated or not valid Avro for "
          + "that schema: " + e, e);
    }
    if (!atEnd) {
      throw new SerializationException("Cannot deserialize record of topic '" + topic
          + "' with schema id " + id + ": bytes left over after the record (" + data.length
          + " bytes in all); the payload is corrupt or does not match its schema id");
    }
    return (T) value;
  }

  private ReadPlan plan(String topic, int id) {
    ReadPlan plan = plans.get(id);
    if (plan == null) {
      Schema writer = writerSchema(topic, id);
      plan = newPlan(id, writer);
      plans.put(id, plan);
    }
    return plan;
  }

  private Schema writerSchema(String topic, int id) {
    try {
      return client.schemaById(id);
    } catch (SchemaRegistryUnavailableException e) {
      throw new SerializationException("Cannot deserialize record of topic '" + topic
          + "': the schema registry is unavailable to resolve schema id " + id + ": " + e.getMessage(), e);
    } catch (SchemaRegistryException e) {
      String why = e.isNotFound() ? "unknown schema id " + id + " (the registry has no such schema)"
          : "cannot get schema id " + id;
      throw new SerializationException("Cannot deserialize record of topic '" + topic + "': "
          + why + ": " + e.getMessage(), e);
    }
  }

  private ReadPlan newPlan(int id, Schema writer) {
    if (readers != null) {
      String incompatible = incompatibility(id, writer, readerSchema, readerSchema.getFullName());
      if (incompatible != null) {
        return new ReadPlan(null, incompatible);
      }
      try {
        return new ReadPlan(Objects.requireNonNull(readers.apply(writer, readerSchema), "the reader factory gave null"),
            null);
      } catch (RuntimeException e) { // cached like any other reason a writer id cannot be read
        return new ReadPlan(null, "no reader for schema id " + id + " (" + writer.getFullName() + "): " + e);
      }
    }
    Class<? extends SpecificRecord> target = readerClass;
    if (target == null && specific && writer.getType() == Schema.Type.RECORD) {
      target = generatedClass(writer);
      if (target == null) {
        return new ReadPlan(null, "specific.avro.reader=true but no generated SpecificRecord class "
            + writer.getFullName() + " (schema id " + id + ") is on the classpath");
      }
    }
    if (target == null) {
      return new ReadPlan(new GenericDatumReader<>(writer, writer, GenericData.get()), null);
    }
    SpecificData model = SpecificData.getForClass(target); // carries the class's logical-type conversions
    Schema reader = model.getSchema(target);
    String incompatible = incompatibility(id, writer, reader, target.getName());
    if (incompatible != null) {
      return new ReadPlan(null, incompatible);
    }
    return new ReadPlan(new SpecificDatumReader<>(writer, reader, model), null);
  }

  /** Why data of {@code writer} cannot be read as {@code reader}, or null when it can. */
  private static String incompatibility(int id, Schema writer, Schema reader, String readerName) {
    SchemaPairCompatibility c = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return "data written with schema id " + id + " (" + writer.getFullName() + ") cannot be read as "
          + readerName + ": " + c.getDescription();
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends SpecificRecord> generatedClass(Schema writer) {
    Class<?> c = SpecificData.get().getClass(writer);
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (c == null && context != null) { // e.g. classes loaded by a plugin or application class loader
      c = new SpecificData(context).getClass(writer);
    }
    return c != null && SpecificRecord.class.isAssignableFrom(c) ? (Class<? extends SpecificRecord>) c : null;
  }

  /** True when {@code e} (as thrown here) was caused by an unreachable or failing registry. */
  public static boolean isRegistryUnavailable(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SchemaRegistryUnavailableException) {
        return true;
      }
    }
    return false;
  }

  public SchemaRegistryClient client() {
    return client;
  }

  /** Lets {@link AvroSerde} share its serializer's client. */
  void useClient(SchemaRegistryClient shared) {
    this.client = shared;
  }

  @Override
  public void close() {
    // Nothing to release: the HTTP transport is shared JVM-wide and the decoders are per thread.
  }
}
