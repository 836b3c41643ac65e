package dev.crane.ingest.publish;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns dataset rows into the Avro records of the topics. MMRec's dense integer ids become their
 * decimal strings (ids are strings on every topic); event ids are {@code <dataset>:<row>} so that
 * replaying the same file yields the same ids and the stream processor can drop duplicates.
 */
final class RecordMapper {
  private final MmrecDataset dataset;
  private final long fallbackTimeMs;

  /** @param fallbackTimeMs event time used when the file has no timestamp column */
  RecordMapper(MmrecDataset dataset, long fallbackTimeMs) {
    this.dataset = dataset;
    this.fallbackTimeMs = fallbackTimeMs;
  }

  ItemFeatures item(int item, long nowMs) {
    List<FloatVector> vectors = new ArrayList<>(dataset.features().size());
    for (FeatureMatrix f : dataset.features()) {
      vectors.add(Vectors.floatVector(f.modality(), f.data(), item * f.dim(), f.dim()));
    }
    return new ItemFeatures(Integer.toString(item), vectors, Instant.ofEpochMilli(nowMs));
  }

  Interaction interaction(int row) {
    InteractionTable t = dataset.interactions();
    long time = t.hasTimestamps() ? t.timestamps()[row] * 1000L : fallbackTimeMs;
    Float weight = t.ratings() == null ? null : t.ratings()[row];
    return Interaction.newBuilder()
        .setEventId(dataset.name() + ":" + row)
        .setUserId(Integer.toString(t.users()[row]))
        .setItemId(Integer.toString(t.items()[row]))
        .setEventTime(Instant.ofEpochMilli(time))
        .setWeight(weight)
        .setType(null)
        .setSplit(t.splits()[row].toAvro())
        .build();
  }
}
