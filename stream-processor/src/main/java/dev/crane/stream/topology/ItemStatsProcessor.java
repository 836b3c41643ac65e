package dev.crane.stream.topology;

import dev.crane.stream.codec.CountsCodec;
import dev.crane.stream.config.Names;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Item degrees: adds the per-split increments that the user tasks accumulated and sent keyed by
 * item (so one task owns each item). Exactly once, like everything else, because the increments
 * are produced and consumed inside transactions.
 */
final class ItemStatsProcessor implements Processor<String, byte[], Void, Void> {
  private KeyValueStore<String, byte[]> stats;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    stats = context.getStateStore(Names.ITEM_STATS_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null || record.value() == null || !CountsCodec.isCounts(record.value())) {
      return; // only this application writes the topic; nothing else can be there
    }
    stats.put(record.key(), CountsCodec.merge(stats.get(record.key()), record.value()));
  }
}
