package dev.crane.stream.topology;

import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import org.apache.kafka.streams.KeyValue;
import dev.crane.stream.journal.JournalStore;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The partition's bookkeeping ({@link PartitionMeta}) over the meta store: read once per init,
 * moved in memory by the collaborators that own its positions, and saved by them so that it
 * commits with the writes it describes.
 *
 * <p>An accepted interaction does not save it: its journal entry carries the sequence number (the
 * key) and the input position, and {@link #MetaStore} takes both from the journal's last entry. A
 * record that adds no entry (a duplicate, a dead letter, a hold) saves the meta instead.
 */
final class MetaStore {
  /** The meta store's only key. */
  static final String KEY = "meta";

  final PartitionMeta meta;
  private final KeyValueStore<String, byte[]> store;

  MetaStore(KeyValueStore<String, byte[]> store, JournalStore journal) {
    this.store = store;
    this.meta = PartitionMeta.decode(store.get(KEY));
    KeyValue<Long, byte[]> last = journal.last();
    if (last != null) {
      meta.nextSeq = Math.max(meta.nextSeq, last.key + 1);
      meta.position = Math.max(meta.position, JournalLine.position(last.value));
    }
  }

  void save() {
    store.put(KEY, meta.encode());
  }
}
