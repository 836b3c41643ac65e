package dev.crane.stream.testing;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.serde.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Builds and serializes test records the way ingest does (registry wire format). */
public final class Records {
  private final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();

  public Records(String registryUrl) {
    serializer.configure(Map.of("schema.registry.url", registryUrl), false);
  }

  public byte[] bytes(String topic, SpecificRecord r) {
    return serializer.serialize(topic, r);
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Deterministic features: value j of modality m of item "i" is a function of (i, m, j). */
  public static float[] vector(String itemId, int m, int dim) {
    float[] v = new float[dim];
    int h = itemId.hashCode();
    for (int j = 0; j < dim; j++) {
      v[j] = (float) Math.sin(h * 0.37 + m * 1.3 + j * 0.11) * (1 + (j % 7));
    }
    return v;
  }

  public static ItemFeatures item(String itemId, List<Modality> modalities) {
    List<FloatVector> vs = new ArrayList<>();
    for (int m = 0; m < modalities.size(); m++) {
      Modality mod = modalities.get(m);
      vs.add(Vectors.floatVector(mod.name(), vector(itemId, m, mod.dim()), 0, mod.dim()));
    }
    return new ItemFeatures(itemId, vs, Instant.ofEpochMilli(1));
  }

  public static Interaction interaction(String eventId, String user, String item, long eventTime, Split split) {
    return Interaction.newBuilder().setEventId(eventId).setUserId(user).setItemId(item)
        .setEventTime(Instant.ofEpochMilli(eventTime)).setWeight(null).setType(null).setSplit(split).build();
  }
}
