package dev.crane.stream.topology;

import dev.crane.stream.codec.ItemView;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decoded, validated items shared by the stream threads of one instance, so that an interaction
 * costs a map lookup instead of a RocksDB read, an Avro decode and a finiteness scan. Correctness
 * rests on invalidation by the global thread: every item update bumps that item's version before
 * the store write is visible, and a (re)initialised global store bumps the epoch, which drops all
 * entries (restoration writes the store without calling the processor).
 */
public final class ItemCache {
  /** An item's update count, written by the global thread only. */
  private static final class Version {
    volatile long n;
  }

  /** A cached view holds its item's counter, so that checking it costs one map lookup, not two. */
  private record Entry(ItemView view, Version current, long version, long epoch) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Version> versions = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final int maxEntries;

  public ItemCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** Called by the global thread before it writes item {@code itemId}. */
  void invalidate(String itemId) {
    versions.computeIfAbsent(itemId, k -> new Version()).n++; // one writer: no lost update
    entries.remove(itemId);
  }

  /** Called when the global store is (re)initialised. */
  void invalidateAll() {
    epoch.incrementAndGet();
    entries.clear();
  }

  /** The cached view, or null when absent or possibly stale. */
  ItemView get(String itemId) {
    Entry e = entries.get(itemId);
    if (e == null || e.epoch != epoch.get() || e.version != e.current.n) {
      return null;
    }
    return e.view;
  }

  /**
   * @param versionBeforeRead {@link #version} read before the store was read, so that an update
   *     racing the read leaves an entry that will never match
   */
  void put(String itemId, ItemView view, long versionBeforeRead, long epochBeforeRead) {
    if (entries.size() >= maxEntries) {
      entries.clear(); // a crude bound: catalogues that fit are the common case
    }
    entries.put(itemId, new Entry(view, versions.computeIfAbsent(itemId, k -> new Version()), versionBeforeRead,
        epochBeforeRead));
  }

  long version(String itemId) {
    Version v = versions.get(itemId);
    return v == null ? 0 : v.n;
  }

  long epoch() {
    return epoch.get();
  }
}
