package dev.crane.stream.topology;

import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.Interaction;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.config.StreamsProperties;
import dev.crane.stream.journal.JournalStore;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.snapshot.SnapshotMessages;
import dev.crane.stream.testing.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * A {@link UserProcessor} over RocksDB stores the test owns, so that a processor can be dropped
 * (cleanly closed or not), the local stores wiped, and a new processor started on the same
 * changelogged stores: the state a restarted task finds after Kafka Streams restored them. (A
 * TopologyTestDriver deletes its state directory on close and cannot restart a task.)
 */
final class ProcessorHarness implements AutoCloseable {
  final StreamConfig config;
  final StreamMetrics metrics = StreamMetrics.inMemory();
  final MockProcessorContext<Object, Object> context;
  private final Records records;
  private final List<StateStore> stores = new ArrayList<>();
  private final KeyValueStore<String, byte[]> items;
  private UserProcessor processor;
  private int firstPunctuator; // the mock keeps the punctuators of earlier processors too
  private long offset;

  ProcessorHarness(Path dir, StreamConfig config, Records records) {
    this.config = config;
    this.records = records;
    context = new MockProcessorContext<>(StreamsProperties.of(config), new TaskId(0, 0), dir.toFile());
    context.setCurrentSystemTimeMs(1_000_000);
    for (var builder : CraneTopology.userProcessorStores(config)) {
      add(builder.withLoggingDisabled().withCachingDisabled().build()); // the mock has no changelog or cache
    }
    items = add(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Names.ITEMS_STORE), Serdes.String(),
        Serdes.ByteArray()).withLoggingDisabled().build());
  }

  private <S extends StateStore> S add(S store) {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    stores.add(store);
    return store;
  }

  void item(String itemId) {
    items.put(itemId, records.bytes(Topics.ITEMS, Records.item(itemId, config.modalities())));
  }

  /** Starts a new processor on the stores (its init rebuilds the local stores when needed). */
  void start() {
    processor = new UserProcessor(config, metrics, new ItemCache(1_000));
    firstPunctuator = context.scheduledPunctuators().size();
    processor.init(context);
  }

  /** A clean shutdown: the processor writes its markers (it is trusted on the next start). */
  void closeProcessor() {
    processor.close();
    processor = null;
  }

  /** A crash that also lost the task directory: no close, local profile and history stores empty. */
  void crashAndWipeLocalStores() {
    processor = null;
    for (String name : List.of(Names.PROFILES_STORE, Names.HISTORY_STORE, Names.SEEN_STORE)) {
      KeyValueStore<String, byte[]> s = store(name);
      List<String> keys = new ArrayList<>();
      try (var it = s.all()) {
        it.forEachRemaining(kv -> keys.add(kv.key));
      }
      keys.forEach(s::delete);
    }
  }

  void send(Interaction in) {
    context.setRecordMetadata(Topics.INTERACTIONS, 0, offset++);
    processor.process(new Record<>(Records.utf8(in.getUserId().toString()), records.bytes(Topics.INTERACTIONS, in),
        in.getEventTime().toEpochMilli()));
  }

  /** The coordinator's request to cut {@code version} (the part is written under snapshot.dir). */
  void cut(long version) {
    context.setRecordMetadata(AppTopics.requestsTopic(config.applicationId()), 0, version);
    processor.process(new Record<>(Records.utf8("0"),
        SnapshotMessages.request(version).getBytes(StandardCharsets.UTF_8), 0L));
  }

  /** Runs every scheduled punctuation once (item-degree flush and truncation among them). */
  void punctuate() {
    var all = context.scheduledPunctuators();
    all.subList(firstPunctuator, all.size()).forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));
  }

  /** Runs once only the punctuations scheduled every {@code interval} (one of them, not its neighbours). */
  void punctuate(java.time.Duration interval) {
    var all = context.scheduledPunctuators();
    all.subList(firstPunctuator, all.size()).stream().filter(p -> p.getInterval().equals(interval))
        .forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));
  }

  /** A crash of the task that keeps its local stores: no close, nothing in memory survives. */
  void crash() {
    processor = null;
  }

  <K> KeyValueStore<K, byte[]> store(String name) {
    return context.getStateStore(name);
  }

  JournalStore journal() {
    return context.getStateStore(Names.JOURNAL_STORE);
  }

  long journalEntries() {
    long[] n = {0};
    journal().forEach((seq, entry) -> n[0]++);
    return n[0];
  }

  long count(String name) {
    long n = 0;
    try (var it = store(name).all()) {
      for (; it.hasNext(); it.next()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() {
    stores.forEach(StateStore::close);
  }
}
