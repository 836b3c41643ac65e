package dev.crane.stream.journal;

import dev.crane.stream.codec.JournalBlock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A partition's journal: its accepted interactions by sequence number. Entries appended during a
 * commit interval are held in memory and written to the changelogged store as {@link JournalBlock}s
 * (one store write and one changelog record per block of up to {@link #BLOCK_BYTES}, instead of one
 * per interaction: the per-event writes were half of the stream thread's time).
 *
 * <p>Kafka Streams calls {@link #flushCache()} on every store before it commits a task (the hook
 * its own record cache uses), so the held entries are in the transaction that commits the input
 * they came from. A task closed without a commit drops them with the uncommitted input, which is
 * processed again. Every read writes them first, so readers see every appended entry. The rest of
 * the store's life (init, close, changelog offsets) is forwarded to the RocksDB store by
 * {@code WrappedStateStore}, the base class of Kafka Streams' own store layers: internal API, like
 * the hook, pinned by the Kafka Streams version of this build.
 *
 * <p>Not a {@link KeyValueStore}: the processor context hands a store of any other type to the
 * processor as it is, so the processor reaches this class's methods.
 */
public final class JournalStore extends WrappedStateStore<KeyValueStore<Long, byte[]>, Long, byte[]> {
  /**
   * A block is written before an entry would take it past this size: well below Kafka's 1 MB record
   * limit (an entry alone is bounded by the gate's id length limit).
   */
  static final int BLOCK_BYTES = 256 << 10;

  /** What a reader does with an entry. */
  @FunctionalInterface
  public interface EntryConsumer {
    void accept(long seq, byte[] entry);
  }

  private final KeyValueStore<Long, byte[]> blocks;
  private final JournalBlock held = new JournalBlock();
  private long heldFrom;

  JournalStore(KeyValueStore<Long, byte[]> blocks) {
    super(blocks);
    this.blocks = blocks;
  }

  /** Appends the entry with sequence number {@code seq}: the one after the last appended entry. */
  public void append(long seq, byte[] entry) {
    if (held.count() == 0) {
      heldFrom = seq;
    } else if (seq != heldFrom + held.count()) {
      throw new IllegalStateException("journal entry " + seq + " appended after entry " + (heldFrom + held.count() - 1));
    }
    if (held.count() > 0 && held.bytes() + 4 + entry.length > BLOCK_BYTES) {
      writeHeld();
      heldFrom = seq;
    }
    held.add(entry);
  }

  /** Calls {@code action} on the entries with sequence numbers in [from, to], in order. */
  public void forEach(long from, long to, EntryConsumer action) {
    writeHeld();
    if (from > to) {
      return; // an empty range would make RocksDB log a warning
    }
    long start = from;
    try (KeyValueIterator<Long, byte[]> it = blocks.reverseRange(0L, from)) {
      if (it.hasNext()) {
        KeyValue<Long, byte[]> before = it.next(); // the block that may hold entry `from`
        if (before.key + JournalBlock.count(before.value) > from) {
          start = before.key;
        }
      }
    }
    try (KeyValueIterator<Long, byte[]> it = blocks.range(start, to)) {
      while (it.hasNext()) {
        KeyValue<Long, byte[]> block = it.next();
        long[] seq = {block.key};
        JournalBlock.forEach(block.value, entry -> {
          if (seq[0] >= from && seq[0] <= to) {
            action.accept(seq[0], entry);
          }
          seq[0]++;
        });
      }
    }
  }

  /** Every entry, in order. */
  public void forEach(EntryConsumer action) {
    forEach(0, Long.MAX_VALUE, action);
  }

  /** The last entry (its sequence number and bytes), or null when the journal is empty. */
  public KeyValue<Long, byte[]> last() {
    writeHeld();
    try (KeyValueIterator<Long, byte[]> it = blocks.reverseAll()) {
      if (!it.hasNext()) {
        return null;
      }
      KeyValue<Long, byte[]> block = it.next();
      return KeyValue.pair(block.key + JournalBlock.count(block.value) - 1, JournalBlock.last(block.value));
    }
  }

  /**
   * Deletes, from {@code from} up, the blocks whose entries all lie below {@code bound}, at most
   * {@code maxBlocks} of them (each is a tombstone in the changelog). Returns the sequence number
   * of the first entry kept: {@code bound} when no block reaching below it is left.
   */
  public long deleteBelow(long from, long bound, int maxBlocks) {
    if (from >= bound) {
      return from; // the common call (every item-degree flush): nothing to delete, nothing written
    }
    writeHeld();
    List<Long> doomed = new ArrayList<>();
    long firstKept = bound;
    try (KeyValueIterator<Long, byte[]> it = blocks.range(from, bound - 1)) {
      while (it.hasNext()) {
        KeyValue<Long, byte[]> block = it.next();
        if (doomed.size() == maxBlocks || block.key + JournalBlock.count(block.value) > bound) {
          firstKept = block.key;
          break;
        }
        doomed.add(block.key);
      }
    }
    doomed.forEach(key -> blocks.put(key, null)); // a tombstone without the read that delete() does
    return firstKept;
  }

  private void writeHeld() {
    if (held.count() > 0) {
      blocks.put(heldFrom, held.take());
    }
  }

  /** Before every commit: the held entries go into the commit's transaction. */
  @Override
  public void flushCache() {
    writeHeld();
    super.flushCache();
  }

  /** The task's stores are about to be written by restoration: entries held now belong to no commit. */
  @Override
  public void clearCache() {
    held.clear();
    super.clearCache();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    held.clear();
    super.init(context, root);
  }

  @Override
  public void close() {
    held.clear(); // not committed: the input it came from is processed again
    super.close();
  }
}
