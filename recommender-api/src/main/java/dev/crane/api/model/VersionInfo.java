package dev.crane.api.model;

import dev.crane.schemas.Modality;
import java.util.List;
import java.util.Map;

/**
 * What a version's manifest says, in the form the API uses.
 *
 * @param interactionOffsets the manifest's input offsets of topic {@code interactions}, by
 *     partition: interactions below are in the model, those at or above are folded in
 * @param modalities raw feature modalities in content-block order (name to input dimension)
 * @param projections one per modality, same order; empty when the version has no content space
 */
public record VersionInfo(
    long version,
    String model,
    int dim,
    long userCount,
    long itemCount,
    Map<String, Double> metrics,
    long createdAtMs,
    Map<Integer, Long> interactionOffsets,
    List<Modality> modalities,
    List<Projection> projections) {

  /** A raw feature modality of the version. */

  public VersionInfo {
    metrics = Map.copyOf(metrics);
    interactionOffsets = Map.copyOf(interactionOffsets);
    modalities = List.copyOf(modalities);
    projections = List.copyOf(projections);
  }

  /** Whether an interaction at {@code offset} of {@code partition} is new to the model. */
  public boolean isAfterTraining(int partition, long offset) {
    return offset >= interactionOffsets.getOrDefault(partition, 0L);
  }

  /** Width of the items' content vectors: the sum of the projections' output dimensions. */
  public int contentDim() {
    return projections.stream().mapToInt(Projection::outputDim).sum();
  }
}
