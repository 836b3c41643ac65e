package dev.crane.stream.topology;

import dev.crane.stream.codec.ItemView;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.metrics.StreamMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The profile, history and seen-id stores are local only; the checkpoint and the journal above it
 * (changelogged) are the truth. When the local stores are not exactly at the journal's end (a
 * fresh instance, a failover, a wiped task directory after a crash, a stale copy from an earlier
 * assignment), they are emptied, loaded from the checkpoint, and the journal above it is replayed
 * in order: the state the checkpoint copied plus the same additions in the same order, so the same
 * bits. A clean close marks the local copy trustworthy for the next start.
 */
final class LocalStateRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStateRecovery.class);
  /**
   * Key of the journal position the local profile store reflects, written on a clean close only
   * (not per event: only a clean close makes a local copy trustworthy). NUL never
   * appears in a user id (such records are rejected), so it cannot collide with a user.
   */
  static final String APPLIED_KEY = "\0applied";
  /**
   * Written on a clean close only. A local copy is trusted only with both keys at the journal's
   * end: after a crash the cache may have spilled uncommitted profile writes to RocksDB without the
   * position marker (Kafka Streams also wipes a crashed EOS task's directory; this does not rely on it).
   */
  static final String CLEAN_KEY = "\0clean";

  private final KeyValueStore<String, byte[]> profiles;
  /** True once the local stores are at the journal's end (trusted or rebuilt); only then can a close mark them clean. */
  private boolean recovered;
  private final KeyValueStore<String, byte[]> history;
  private final KeyValueStore<String, byte[]> seen;
  private final UserStateCache users;
  private final ProfileCheckpoints checkpoints;
  private final PartitionMeta meta;
  private final ItemCache itemCache;
  private final KeyValueStore<String, byte[]> itemStore;
  private final ItemViews itemViews;
  private final ProfileUpdater profileUpdater;
  private final StreamMetrics metrics;
  private final int partition;

  LocalStateRecovery(KeyValueStore<String, byte[]> profiles, KeyValueStore<String, byte[]> history,
      KeyValueStore<String, byte[]> seen, UserStateCache users, ProfileCheckpoints checkpoints, PartitionMeta meta, ItemCache itemCache,
      KeyValueStore<String, byte[]> itemStore, ItemViews itemViews, ProfileUpdater profileUpdater,
      StreamMetrics metrics, int partition) {
    this.profiles = profiles;
    this.history = history;
    this.seen = seen;
    this.users = users;
    this.checkpoints = checkpoints;
    this.meta = meta;
    this.itemCache = itemCache;
    this.itemStore = itemStore;
    this.itemViews = itemViews;
    this.profileUpdater = profileUpdater;
    this.metrics = metrics;
    this.partition = partition;
  }

  /** At init: trusts the local stores, or rebuilds them from the checkpoint and the journal. */
  void rebuildIfNeeded() {
    byte[] applied = profiles.get(APPLIED_KEY);
    byte[] clean = profiles.get(CLEAN_KEY);
    long at = applied == null ? 0 : PartitionMeta.longFrom(applied);
    boolean fresh = applied == null && meta.nextSeq == 0;
    boolean trusted = at == meta.nextSeq && clean != null && PartitionMeta.longFrom(clean) == meta.nextSeq;
    if (clean != null) {
      profiles.delete(CLEAN_KEY); // from now on the local copy moves ahead of the last clean close
    }
    if (fresh || trusted) {
      checkpoints.recoverChanged(meta);
      recovered = true;
      return;
    }
    long t0 = System.nanoTime();
    users.clear();
    clear(profiles);
    clear(history);
    clear(seen);
    long loaded = checkpoints.restore(profiles, history, seen);
    long[] counts = new long[2]; // replayed, skipped
    checkpoints.forEachAbove(meta, line -> counts[replay(line) ? 0 : 1]++);
    metrics.rebuilt(loaded, counts[0]);
    LOG.info("partition {}: rebuilt profiles and histories from a checkpoint of {} users at entry {} and {} journal "
        + "entries above it in {} ms (local copy was at {})", partition, loaded, meta.checkpointSeq, counts[0],
        (System.nanoTime() - t0) / 1_000_000, applied == null ? "none" : at);
    if (counts[1] > 0) {
      LOG.error("partition {}: {} journal entries name items whose features are gone; their profiles lack them",
          partition, counts[1]);
    }
    recovered = true;
  }

  /** Applies one journal entry again; false when its item's features are gone. */
  private boolean replay(JournalLine line) {
    ItemView view = itemCache.get(line.item());
    if (view == null) {
      byte[] bytes = itemStore.get(line.item());
      view = bytes == null ? null : itemViews.decode(bytes);
    }
    if (view == null || !view.usable()) {
      // the item was deleted or replaced by bad features since: cannot be re-added; its id still counts
      profileUpdater.rememberOnly(line.user(), line.eventHash(), line.timestamp());
      return false;
    }
    profileUpdater.apply(line.user(), profileUpdater.state(line.user()), line.item(), line.eventTime(), line.split(),
        view, line.eventHash(), line.timestamp());
    return true;
  }

  private static void clear(KeyValueStore<String, byte[]> store) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(store::delete);
  }

  /** On a clean close: writes the cache back and marks the local copy as at the journal's end. */
  void markClean() {
    if (!recovered) {
      return; // a rebuild that failed part-way left a partial copy: the next start must rebuild it
    }
    try {
      users.flushAll();
      profiles.put(APPLIED_KEY, PartitionMeta.longBytes(meta.nextSeq));
      profiles.put(CLEAN_KEY, PartitionMeta.longBytes(meta.nextSeq));
    } catch (RuntimeException e) {
      LOG.debug("cannot mark the local profiles clean (they will be rebuilt on the next start)", e);
    }
  }
}
