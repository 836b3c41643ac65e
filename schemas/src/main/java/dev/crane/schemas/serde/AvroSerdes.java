package dev.crane.schemas.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/** Configured serdes in one call, e.g. {@code AvroSerdes.specific(Interaction.class, config, false)}. */
public final class AvroSerdes {
  private AvroSerdes() {}

  /** A serde of one generated class; {@code config} needs at least {@code schema.registry.url}. */
  public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> recordClass, Map<String, ?> config,
      boolean isKey) {
    AvroSerde<T> serde = new AvroSerde<>(recordClass);
    serde.configure(config, isKey);
    return serde;
  }

  /** A serde of GenericRecord, read with the writer's schema. */
  public static AvroSerde<GenericRecord> generic(Map<String, ?> config, boolean isKey) {
    AvroSerde<GenericRecord> serde = new AvroSerde<>();
    serde.configure(config, isKey);
    return serde;
  }
}
