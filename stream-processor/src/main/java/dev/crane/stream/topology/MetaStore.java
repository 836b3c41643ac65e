package dev.crane.stream.topology;

import dev.crane.stream.codec.PartitionMeta;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The partition's bookkeeping ({@link PartitionMeta}) over the meta store: read once per init,
 * moved in memory by the collaborators that own its positions, and saved by them so that it
 * commits with the writes it describes.
 */
final class MetaStore {
  /** The meta store's only key. */
  static final String KEY = "meta";

  final PartitionMeta meta;
  private final KeyValueStore<String, byte[]> store;

  MetaStore(KeyValueStore<String, byte[]> store) {
    this.store = store;
    this.meta = PartitionMeta.decode(store.get(KEY));
  }

  void save() {
    store.put(KEY, meta.encode());
  }
}
