package dev.crane.stream.topology;

import dev.crane.stream.codec.HistoryCodec;
import dev.crane.stream.codec.SeenIds;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Write-back LRU cache of users' profiles, histories and seen event ids over their local RocksDB stores. Those
 * stores are not transactional state: the journal is, and a local copy is used after a restart
 * only when a clean close flushed it ({@link LocalStateRecovery#CLEAN_KEY}). So entries can be updated
 * in place and written back whenever convenient (eviction, snapshot cut, close), without Kafka
 * Streams' record cache, which copies, compares and meters every access.
 */
final class UserStateCache {
  static final class Entry {
    byte[] profile;
    /** Null for none. */
    HistoryCodec.Buffer history;
    /** Null for none. */
    SeenIds.Set seen;
    boolean dirty;
    /**
     * Mirrors of the user's membership in the emitter's dirty store and the checkpoint's changed set,
     * so that an event costs a field read instead of a hash-set or store operation. False only ever
     * repeats an operation (a reloaded entry, write-through mode); true is cleared when the user is
     * taken out of the set or store it mirrors.
     */
    boolean awaitingEmit;
    boolean changedSinceCheckpoint;

    Entry(byte[] profile, HistoryCodec.Buffer history, SeenIds.Set seen) {
      this.profile = profile;
      this.history = history;
      this.seen = seen;
    }

    long size() {
      return 64 + profile.length + (history == null ? 0 : history.capacity()) + (seen == null ? 0 : seen.bytes());
    }
  }

  private final KeyValueStore<String, byte[]> profiles;
  private final KeyValueStore<String, byte[]> histories;
  private final KeyValueStore<String, byte[]> seenIds;
  private final long maxBytes;
  private final LinkedHashMap<String, Entry> lru = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;

  /** @param maxBytes memory budget; 0 = write-through (every update goes to the stores at once) */
  UserStateCache(KeyValueStore<String, byte[]> profiles, KeyValueStore<String, byte[]> histories,
      KeyValueStore<String, byte[]> seenIds, long maxBytes) {
    this.profiles = profiles;
    this.histories = histories;
    this.seenIds = seenIds;
    this.maxBytes = maxBytes;
  }

  /** The user's entry (loaded from the stores on a miss), or null for a user never seen. */
  Entry get(String user) {
    Entry e = lru.get(user);
    if (e != null) {
      return e;
    }
    byte[] p = profiles.get(user);
    if (p == null) {
      return null;
    }
    e = new Entry(p, HistoryCodec.Buffer.of(histories.get(user)), SeenIds.Set.of(seenIds.get(user)));
    if (maxBytes == 0) {
      return e; // write-through: nothing kept in memory
    }
    lru.put(user, e);
    bytes += e.size();
    evict();
    return e;
  }

  /** Records that {@code e} (new or changed in place) holds the user's latest state. */
  void updated(String user, Entry e, long sizeBefore) {
    e.dirty = true;
    if (maxBytes == 0) {
      write(user, e);
      return;
    }
    if (lru.putIfAbsent(user, e) == null) {
      bytes += e.size();
    } else {
      bytes += e.size() - sizeBefore;
    }
    evict();
  }

  private void evict() {
    Iterator<Map.Entry<String, Entry>> it = lru.entrySet().iterator();
    while (bytes > maxBytes && lru.size() > 1 && it.hasNext()) {
      Map.Entry<String, Entry> eldest = it.next();
      write(eldest.getKey(), eldest.getValue());
      bytes -= eldest.getValue().size();
      it.remove();
    }
  }

  private void write(String user, Entry e) {
    if (e.dirty) {
      profiles.put(user, e.profile);
      histories.put(user, e.history == null ? null : e.history.stored());
      seenIds.put(user, e.seen == null ? null : e.seen.stored());
      e.dirty = false;
    }
  }

  /** Writes every changed entry to the stores (before a snapshot cut reads them, and on close). */
  void flushAll() {
    lru.forEach(this::write);
  }

  /** Forgets everything in memory (the stores are emptied separately). */
  void clear() {
    lru.clear();
    bytes = 0;
  }
}
