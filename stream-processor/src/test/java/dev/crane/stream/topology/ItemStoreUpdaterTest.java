package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.ItemPositions;
import dev.crane.stream.config.Names;
import dev.crane.stream.testing.Records;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The global-store processor's per-partition positions (the driver has one partition per topic; this has three). */
class ItemStoreUpdaterTest {
  private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
  private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(Names.ITEMS_STORE), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
  private final ItemStoreUpdater updater = new ItemStoreUpdater(new ItemCache(100));

  private void apply(int partition, long offset, String key, byte[] value) {
    context.setRecordMetadata(Topics.ITEMS, partition, offset);
    updater.process(new Record<>(key, value, 0L));
  }

  @Test
  void eachPartitionsLastAppliedOffsetIsKeptUnderAKeyThatIsNoItem() {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    updater.init(context);
    assertThat(ItemPositions.endOffsets(store)).isEmpty();

    apply(0, 5, "a", new byte[] {1});
    apply(2, 7, "b", new byte[] {2});
    apply(0, 9, "a", null); // a deletion is applied too
    apply(1, 3, null, new byte[] {3}); // ignored, but the partition has got that far
    apply(2, 8, ItemPositions.key(2), new byte[] {4}); // keyed like a position: not stored as one

    assertThat(ItemPositions.endOffsets(store)).containsExactly(entry(0, 10L), entry(1, 4L), entry(2, 9L));
    List<String> items = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      it.forEachRemaining(kv -> {
        if (!ItemPositions.isReserved(kv.key)) {
          items.add(kv.key);
        }
      });
    }
    assertThat(items).containsExactly("b");
    // No interaction can look a position key up as an item: its id is rejected before any lookup.
    assertThat(InteractionGate.invalid(Records.interaction("e", "u", ItemPositions.key(0), 1, Split.TRAIN),
        Records.utf8("u"))).contains("NUL");
  }
}
