package dev.crane.stream.codec;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The position of the global items store in topic {@code items}: for each partition, the offset of
 * the last record the store has applied, kept in the store itself under reserved keys so that it
 * moves with the contents (written by {@link ItemStoreUpdater}, in the same store write sequence,
 * during restoration too). The keys start with NUL, which item ids can never contain (an
 * interaction naming such an item is dead-lettered as invalid, InteractionGate.invalid), so no item
 * lookup reaches them; whoever iterates the store skips them with {@link #isReserved}.
 */
public final class ItemPositions {
  /** Prefix of every reserved key; NUL first, so they sort before all item ids. */
  private static final String PREFIX = "\0crane.items-position.";
  private static final StringSerializer KEYS = new StringSerializer();

  private ItemPositions() {}

  /** True for a key of the global items store that is not an item. */
  public static boolean isReserved(String key) {
    return key.startsWith(PREFIX);
  }

  /** The reserved key holding the position of items partition {@code partition}. */
  public static String key(int partition) {
    return PREFIX + partition;
  }

  public static byte[] encode(long offset) {
    return ByteBuffer.allocate(Long.BYTES).putLong(offset).array();
  }

  /**
   * Per partition of topic {@code items}: the offset after the last record applied to the store
   * (every record below it has been applied). Partitions no record of which has been applied are
   * absent. Reserved keys whose value is not a position (a record keyed so on the items topic) are
   * ignored.
   */
  public static SortedMap<Integer, Long> endOffsets(ReadOnlyKeyValueStore<String, byte[]> store) {
    SortedMap<Integer, Long> ends = new TreeMap<>();
    try (KeyValueIterator<String, byte[]> it = store.prefixScan(PREFIX, KEYS)) {
      while (it.hasNext()) {
        var kv = it.next();
        Integer partition = partition(kv.key);
        if (partition != null && kv.value != null && kv.value.length == Long.BYTES) {
          ends.put(partition, ByteBuffer.wrap(kv.value).getLong() + 1);
        }
      }
    }
    return Collections.unmodifiableSortedMap(ends);
  }

  private static Integer partition(String key) {
    try {
      int p = Integer.parseInt(key.substring(PREFIX.length()));
      return p >= 0 && key.equals(key(p)) ? p : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
