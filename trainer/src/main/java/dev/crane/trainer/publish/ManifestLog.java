package dev.crane.trainer.publish;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every committed manifest on {@code model-versions}, read to its end (one partition, read_committed). */
public final class ManifestLog {
  private final List<ModelVersion> manifests;

  private ManifestLog(List<ModelVersion> manifests) {
    this.manifests = List.copyOf(manifests);
  }

  public static ManifestLog read(String bootstrapServers, String schemaRegistryUrl, Duration timeout) {
    return new ManifestLog(OrderedTopic.<ModelVersion>read(Topics.MODEL_VERSIONS, bootstrapServers, schemaRegistryUrl,
        timeout).stream().map(OrderedTopic.Entry::value).toList());
  }

  public List<ModelVersion> all() {
    return manifests;
  }

  /** The largest version number used, COMPLETE or REJECTED; 0 when none. */
  public long lastVersion() {
    return manifests.stream().mapToLong(ModelVersion::getVersion).max().orElse(0);
  }

  /** The newest COMPLETE version: what the API serves. */
  public Optional<ModelVersion> serving() {
    return manifests.stream().filter(m -> m.getStatus() == dev.crane.schemas.avro.ModelStatus.COMPLETE)
        .reduce((a, b) -> b.getVersion() > a.getVersion() ? b : a);
  }

  /** The newest manifest of any status: the last decision. */
  public Optional<ModelVersion> latest() {
    return manifests.stream().reduce((a, b) -> b.getVersion() > a.getVersion() ? b : a);
  }
}
