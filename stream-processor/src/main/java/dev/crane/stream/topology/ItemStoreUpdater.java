package dev.crane.stream.topology;

import dev.crane.stream.codec.ItemPositions;
import dev.crane.stream.config.Names;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest raw record of each item in the global store. Bytes are stored as they came
 * (decoded and validated when an interaction uses them). After each record it stores the record's
 * offset under the partition's reserved key ({@link ItemPositions}), so that a snapshot can say
 * which items records its features include. Kafka Streams 4 restores a global store through this
 * processor ({@code Topology.addGlobalStore} reprocesses on restore, with the record metadata
 * set), so a restored store holds the same items and positions.
 */
final class ItemStoreUpdater implements Processor<String, byte[], Void, Void> {
  private final ItemCache cache;
  private ProcessorContext<Void, Void> context;
  private KeyValueStore<String, byte[]> store;

  ItemStoreUpdater(ItemCache cache) {
    this.cache = cache;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    store = context.getStateStore(Names.ITEMS_STORE);
    cache.invalidateAll();
  }

  @Override
  public void process(Record<String, byte[]> record) {
    // A record keyed like a position is not an item (no interaction can name it): ignored like a null key.
    if (record.key() != null && !ItemPositions.isReserved(record.key())) {
      cache.invalidate(record.key());
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), record.value());
      }
    }
    // After the item: a position in the store never runs ahead of the items it covers.
    RecordMetadata md = context.recordMetadata().orElse(null);
    if (md != null) {
      store.put(ItemPositions.key(md.partition()), ItemPositions.encode(md.offset()));
    }
  }
}
