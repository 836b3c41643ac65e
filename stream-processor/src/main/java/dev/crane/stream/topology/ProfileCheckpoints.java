package dev.crane.stream.topology;

import dev.crane.stream.codec.CheckpointCodec;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.journal.JournalStore;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Bounds the journal. At each snapshot cut the profiles and histories of the users changed since
 * the previous checkpoint are copied into a changelogged store, in the task's transaction like every
 * other write; the meta's {@code checkpointSeq} says which journal entries that state reflects. A
 * rebuild then loads the checkpoint and replays only the journal above it.
 *
 * <p>Journal entries below the checkpoint are deleted (tombstones, so the changelog is compacted
 * too) once nothing else reads them: the item-degree increments not yet sent ({@code deltaSeq})
 * and the next snapshot part ({@code lastCutSeq}). A part already reported needs no journal: its
 * files are written and fsynced before the transaction that reports it commits, and nothing ever
 * rewrites a part; if that transaction aborts, the deletions abort with it.
 */
final class ProfileCheckpoints {
  /**
   * Most journal blocks deleted per call (once per cut and per item-degree flush), a tombstone
   * each: a cut after a long interval must not put millions of them into one transaction.
   */
  static final int TRUNCATE_BATCH = 65_536;

  private final KeyValueStore<String, byte[]> store;
  private final JournalStore journal;
  private final boolean enabled;
  /**
   * Users changed since the checkpoint. Memory only: a new instance per task init, refilled from
   * the journal above the checkpoint (by the rebuild's replay, or by {@link #recoverChanged}).
   */
  private final Set<String> changed = new HashSet<>();

  /** @param enabled false: write no checkpoint and keep the whole journal (an old checkpoint is still used) */
  ProfileCheckpoints(KeyValueStore<String, byte[]> store, JournalStore journal, boolean enabled) {
    this.store = store;
    this.journal = journal;
    this.enabled = enabled;
  }

  void changed(String user, UserStateCache.Entry e) {
    if (enabled && !e.changedSinceCheckpoint) {
      changed.add(user);
      e.changedSinceCheckpoint = true;
    }
  }

  /** After a start without replay: the users of the journal entries above the checkpoint. */
  void recoverChanged(PartitionMeta meta) {
    if (enabled) {
      forEachAbove(meta, line -> changed.add(line.user()));
    }
  }

  /** Calls {@code action} on the journal entries above the checkpoint, in order. */
  void forEachAbove(PartitionMeta meta, Consumer<JournalLine> action) {
    if (meta.nextSeq <= meta.checkpointSeq) {
      return;
    }
    journal.forEach(meta.checkpointSeq, meta.nextSeq - 1, (seq, entry) -> action.accept(JournalLine.parse(entry)));
  }

  /**
   * Checkpoints the changed users at {@code meta.nextSeq} ({@code users} must hold the state after
   * every entry below it); returns how many users were written.
   */
  int write(PartitionMeta meta, UserStateCache users) {
    if (!enabled) {
      return 0;
    }
    int written = 0;
    for (String user : changed) {
      UserStateCache.Entry e = users.get(user);
      if (e != null) { // null: every entry of the user named a vanished item (logged by the rebuild)
        store.put(user, CheckpointCodec.encode(e.profile, e.history == null ? null : e.history.stored(),
            e.seen == null ? null : e.seen.stored()));
        e.changedSinceCheckpoint = false;
        written++;
      }
    }
    changed.clear();
    meta.checkpointSeq = meta.nextSeq;
    return written;
  }

  /** Copies every checkpointed user into the (emptied) local stores; returns how many. */
  long restore(KeyValueStore<String, byte[]> profiles, KeyValueStore<String, byte[]> histories,
      KeyValueStore<String, byte[]> seen) {
    long n = 0;
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        CheckpointCodec.UserState s = CheckpointCodec.decode(kv.value);
        profiles.put(kv.key, s.profile());
        histories.put(kv.key, s.history());
        seen.put(kv.key, s.seen());
        n++;
      }
    }
    return n;
  }

  /** Deletes up to {@link #TRUNCATE_BATCH} journal blocks below every bound; returns how many entries they held. */
  long truncate(PartitionMeta meta) {
    if (!enabled) {
      return 0;
    }
    long bound = Math.min(meta.checkpointSeq, Math.min(meta.deltaSeq, meta.lastCutSeq));
    long from = meta.journalFrom;
    meta.journalFrom = Math.max(from, journal.deleteBelow(from, bound, TRUNCATE_BATCH));
    return meta.journalFrom - from;
  }
}
