package dev.crane.stream.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest raw record of each item in the global store. Bytes are stored as they came
 * (decoded and validated when an interaction uses them), so that restoring the store from the
 * topic, which bypasses this processor, gives exactly the same contents.
 */
final class ItemStoreUpdater implements Processor<String, byte[], Void, Void> {
  private final ItemCache cache;
  private KeyValueStore<String, byte[]> store;

  ItemStoreUpdater(ItemCache cache) {
    this.cache = cache;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(Names.ITEMS_STORE);
    cache.invalidateAll();
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    cache.invalidate(record.key());
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }
}
