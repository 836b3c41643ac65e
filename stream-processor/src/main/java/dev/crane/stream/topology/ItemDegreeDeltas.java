package dev.crane.stream.topology;

import dev.crane.stream.codec.CountsCodec;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.Names;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import dev.crane.stream.journal.JournalStore;

/**
 * The item-degree increments of this partition's accepted interactions, batched by item and sent
 * to the item's partition (where {@link ItemStatsProcessor} adds them) in one transaction with the
 * watermark ({@code meta.deltaSeq}) that moves past them. The increments live in memory only: they
 * are always the journal entries above the watermark, so a restarted or revived task recomputes
 * them from the journal.
 */
final class ItemDegreeDeltas {
  private final ProcessorContext<Object, Object> context;
  private final JournalStore journal;
  private final MetaStore metaStore;
  private final PartitionMeta meta;
  /** Item-degree increments of journal entries [meta.deltaSeq, meta.nextSeq), not yet sent. */
  private final Map<String, long[]> pending = new HashMap<>();

  ItemDegreeDeltas(ProcessorContext<Object, Object> context, JournalStore journal, MetaStore metaStore) {
    this.context = context;
    this.journal = journal;
    this.metaStore = metaStore;
    this.meta = metaStore.meta;
  }

  /** Once, at init: the increments of the journal entries above the watermark. */
  void recover() {
    if (meta.deltaSeq >= meta.nextSeq) {
      return;
    }
    journal.forEach(meta.deltaSeq, meta.nextSeq - 1, (seq, entry) -> {
      JournalLine line = JournalLine.parse(entry);
      add(line.item(), line.slot());
    });
  }

  /** One accepted interaction of the item, in the split counter {@code slot}. */
  void add(String itemId, int slot) {
    pending.computeIfAbsent(itemId, k -> new long[SplitCounts.SLOTS])[slot]++;
  }

  /** Sends the increments and moves the watermark past them (the flush punctuation). */
  void flush() {
    if (pending.isEmpty()) {
      return;
    }
    long now = context.currentSystemTimeMs();
    for (Map.Entry<String, long[]> e : pending.entrySet()) {
      byte[] counts = null;
      for (int slot = 0; slot < SplitCounts.SLOTS; slot++) {
        if (e.getValue()[slot] != 0) {
          counts = CountsCodec.add(counts, slot, e.getValue()[slot]);
        }
      }
      context.forward(new Record<Object, Object>(e.getKey(), counts, now), Names.ITEM_DELTA_SINK);
    }
    pending.clear();
    meta.deltaSeq = meta.nextSeq;
    metaStore.save();
  }
}
