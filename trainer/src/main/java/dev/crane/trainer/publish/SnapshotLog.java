package dev.crane.trainer.publish;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.SnapshotManifest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every committed snapshot manifest on {@code snapshots}, with its offset, read to the topic's end. */
public final class SnapshotLog {
  private final List<OrderedTopic.Entry<SnapshotManifest>> entries;

  private SnapshotLog(List<OrderedTopic.Entry<SnapshotManifest>> entries) {
    this.entries = List.copyOf(entries);
  }

  public static SnapshotLog read(String bootstrapServers, String schemaRegistryUrl, Duration timeout) {
    return new SnapshotLog(OrderedTopic.read(Topics.SNAPSHOTS, bootstrapServers, schemaRegistryUrl, timeout));
  }

  /** The newest manifest. */
  public Optional<SnapshotManifest> newest() {
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1).value());
  }

  public Optional<SnapshotManifest> version(long version) {
    return entries.stream().map(OrderedTopic.Entry::value).filter(m -> m.getVersion() == version).findFirst();
  }

  /** The newest manifest below {@code offset}: the last one a consumer positioned at {@code offset} has handled. */
  public Optional<SnapshotManifest> before(long offset) {
    return entries.stream().filter(e -> e.offset() < offset).map(OrderedTopic.Entry::value).reduce((a, b) -> b);
  }
}
