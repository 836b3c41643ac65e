package dev.crane.stream.topology;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event ids the dedup store may hold, as a Bloom filter in front of it: a new id (nearly every
 * event) is known unseen without the store's range fetch, which opens a RocksDB iterator on each
 * segment the window spans (half of the dedup's cost in a profile of the benchmark's scenario a);
 * only a "maybe" (a duplicate, or 1 % of new ids) asks the store, which decides.
 *
 * <p>Memory only, and built from the store at every task init: a revived task's store was rolled
 * back, and the filter may hold ids the store lacks (a wasted fetch) but never lack one it holds.
 * Once more ids were added than it was sized for, it is rebuilt from the store, sized for twice what
 * the store holds then: ids of dropped segments leave it, and the false-positive rate stays near 1 %.
 */
final class SeenFilter {
  private static final Logger LOG = LoggerFactory.getLogger(SeenFilter.class);
  /** About 1.2 MB per task at 1 % false positives. */
  static final long DEFAULT_MIN_CAPACITY = 1 << 20;
  private static final double FALSE_POSITIVES = 0.01;

  private final WindowStore<String, byte[]> store;
  private final long minCapacity;
  private BloomFilter<CharSequence> filter;
  private long capacity;
  private long added;

  SeenFilter(WindowStore<String, byte[]> store) {
    this(store, DEFAULT_MIN_CAPACITY);
  }

  SeenFilter(WindowStore<String, byte[]> store, long minCapacity) {
    this.store = store;
    this.minCapacity = minCapacity;
    rebuild();
  }

  /**
   * Adds the id to the filter (one hash for the test and the insertion) and says whether the store
   * may already hold it: false only when the id set a bit that was clear, i.e. was never added.
   */
  boolean mayHaveSeen(String eventId) {
    return !filter.put(eventId);
  }

  /**
   * Call after putting a new id into the store: counts it, and rebuilds from the store when full
   * (after the put, so that the rebuilt filter has it).
   */
  void stored() {
    if (++added > capacity) {
      rebuild();
    }
  }

  /** How many ids the filter is sized for (tests). */
  long capacity() {
    return capacity;
  }

  private void rebuild() {
    long start = System.nanoTime();
    long stored = 0;
    try (KeyValueIterator<Windowed<String>, byte[]> it = store.all()) {
      for (; it.hasNext(); it.next()) {
        stored++;
      }
    }
    capacity = Math.max(minCapacity, 2 * stored);
    filter = BloomFilter.create(Funnels.unencodedCharsFunnel(), capacity, FALSE_POSITIVES);
    try (KeyValueIterator<Windowed<String>, byte[]> it = store.all()) {
      it.forEachRemaining(kv -> filter.put(kv.key.key()));
    }
    added = stored;
    if (stored > 0) {
      LOG.info("dedup filter of {} built from {} stored event ids in {} ms (sized for {})", store.name(), stored,
          (System.nanoTime() - start) / 1_000_000, capacity);
    }
  }
}
