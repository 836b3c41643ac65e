package dev.crane.stream.topology;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event ids the dedup store may hold, as Bloom filters in front of it: a new id (nearly every
 * event) is known unseen without the store's range fetch, which opens a RocksDB iterator on each
 * segment the window spans (half of the dedup's cost in a profile of the benchmark's scenario a);
 * only a "maybe" (a duplicate, or about 1 % of new ids) asks the store, which decides.
 *
 * <p>Memory only, and built from the store at every task init, in one pass: a revived task's store
 * was rolled back, and the filters may hold ids the store lacks (a wasted fetch) but never lack one
 * it holds. Ids go into generations: when the newest is full a new one starts, sized for the ids
 * still live, and a generation whose ids are all older than the window before the newest id is
 * dropped (nothing is ever rescanned while processing). An id of a dropped generation has a
 * timestamp at most {@code droppedBelow}, so an event whose window reaches back that far is sent
 * to the store: dropping costs late events a fetch, never a missed duplicate.
 *
 * <p>Hand-written rather than Guava's filter: one hash of the id serves every generation, and each
 * generation's bits for an id lie in one 64-byte block (one cache miss per generation, not seven).
 */
final class SeenFilter {
  private static final Logger LOG = LoggerFactory.getLogger(SeenFilter.class);
  /** The first generation's size: 2 MB of bits per task. */
  static final long DEFAULT_MIN_CAPACITY = 1 << 20;

  private final long window;
  private final long minCapacity;
  private final Deque<Generation> generations = new ArrayDeque<>(); // newest last
  private long droppedBelow = Long.MIN_VALUE;
  private long newest = Long.MIN_VALUE;

  SeenFilter(WindowStore<String, byte[]> store, Duration window) {
    this(store, window, DEFAULT_MIN_CAPACITY);
  }

  SeenFilter(WindowStore<String, byte[]> store, Duration window, long minCapacity) {
    this.window = window.toMillis();
    this.minCapacity = minCapacity;
    generations.add(new Generation(minCapacity));
    long start = System.nanoTime();
    long stored = 0;
    try (KeyValueIterator<Windowed<String>, byte[]> it = store.all()) {
      while (it.hasNext()) {
        Windowed<String> key = it.next().key;
        add(hash(key.key()), key.window().start());
        stored++;
      }
    }
    if (stored > 0) {
      LOG.info("dedup filter of {} built from {} stored event ids in {} ms ({} generations)", store.name(), stored,
          (System.nanoTime() - start) / 1_000_000, generations.size());
    }
  }

  /**
   * Whether the store may hold this id within the window around {@code timestamp}: false only when
   * it certainly does not. Adds the id (its store entry is written next when the answer is false;
   * an id the store lacks costs at most a wasted fetch later).
   */
  boolean mayHaveSeen(String eventId, long timestamp) {
    long h = hash(eventId);
    boolean maybe = timestamp - window <= droppedBelow;
    for (Iterator<Generation> it = generations.iterator(); !maybe && it.hasNext(); ) {
      maybe = it.next().mightContain(h);
    }
    add(h, timestamp);
    return maybe;
  }

  /** Live generations (tests). */
  int generations() {
    return generations.size();
  }

  private void add(long h, long timestamp) {
    newest = Math.max(newest, timestamp);
    Generation g = generations.peekLast();
    if (g.count >= g.capacity) {
      // any generation, not only the oldest: one id stamped far ahead must not keep the later ones alive
      for (Iterator<Generation> it = generations.iterator(); it.hasNext(); ) {
        Generation old = it.next();
        if (old.maxTimestamp < newest - window) {
          droppedBelow = Math.max(droppedBelow, old.maxTimestamp);
          it.remove();
        }
      }
      long live = 0;
      for (Generation kept : generations) {
        live += kept.count;
      }
      g = new Generation(Math.max(minCapacity, live));
      generations.add(g);
    }
    g.put(h);
    g.maxTimestamp = Math.max(g.maxTimestamp, timestamp);
  }

  /** 64 bits of the id's chars (FNV-1a, then MurmurHash3's finaliser to spread them). */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  /**
   * A blocked Bloom filter: at least 10 bits per id (blocks rounded up to a power of two), each id's
   * 7 bits in one 512-bit block, the bits within it chosen by seven 9-bit slices of the hash (about
   * 1 % false positives at capacity).
   */
  private static final class Generation {
    private static final int BITS_PER_ID = 10;
    private static final int PROBES = 7;
    final long capacity;
    final long[] words;
    final int blockMask;
    long count;
    long maxTimestamp = Long.MIN_VALUE;

    Generation(long capacity) {
      this.capacity = capacity;
      // the smallest power of two >= the 512-bit blocks the ids need (at least 2): a mask picks the block
      long blocks = Long.highestOneBit(Math.max(1, capacity * BITS_PER_ID / 512 - 1)) << 1;
      if (blocks > Integer.MAX_VALUE / 8) {
        throw new IllegalArgumentException("dedup filter generation of " + capacity + " ids is too large");
      }
      this.words = new long[(int) blocks * 8];
      this.blockMask = (int) blocks - 1;
    }

    /** The block: high bits of a second mix, so that they are not the in-block slices. */
    private int base(long h) {
      return ((int) ((h * 0x9e3779b97f4a7c15L) >>> 40) & blockMask) << 3;
    }

    boolean mightContain(long h) {
      int base = base(h);
      for (int i = 0; i < PROBES; i++) {
        int bit = (int) (h >>> (9 * i)) & 511;
        if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
          return false;
        }
      }
      return true;
    }

    void put(long h) {
      int base = base(h);
      for (int i = 0; i < PROBES; i++) {
        int bit = (int) (h >>> (9 * i)) & 511;
        words[base + (bit >>> 6)] |= 1L << bit;
      }
      count++;
    }
  }
}
