package dev.crane.stream.topology;

import dev.crane.schemas.avro.Interaction;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SeenIds;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.deadletter.DeadLetters.Source;
import dev.crane.stream.deadletter.Reason;
import dev.crane.stream.journal.JournalStore;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.topology.InteractionGate.Admitted;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One input partition's users. An interaction passes the bad-input rules ({@link InteractionGate})
 * and, unless the user already accepted its event id, updates the user's profile, history and seen
 * ids ({@link ProfileUpdater}), is appended to the journal ({@link JournalStore}, written once per
 * commit), counts towards its item's degree ({@link ItemDegreeDeltas}) and may ask for a snapshot
 * ({@link SnapshotCut}); the changed profile is emitted ({@link ProfileEmitter}). A snapshot request
 * releases the held records whose item has arrived, then cuts this partition's part. At init the
 * local profile and history stores are recovered from the checkpoint and the journal
 * ({@link LocalStateRecovery}).
 *
 * <p>Every write goes to a store or a sink of this task, so under exactly_once_v2 it commits
 * atomically with the input offsets: a replayed record can never be counted twice.
 */
public final class UserProcessor implements Processor<byte[], byte[], Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(UserProcessor.class);

  private final StreamConfig config;
  private final StreamMetrics metrics;
  private final ItemCache itemCache;
  private final ProfileCodec profileCodec;
  private final String requestsTopic;

  private ProcessorContext<Object, Object> context;
  private JournalStore journal;
  private MetaStore metaStore;
  private PartitionMeta meta;
  private InteractionGate gate;
  private ProfileUpdater profileUpdater;
  private ItemDegreeDeltas deltas;
  private SnapshotCut snapshot;
  private ProfileEmitter emitter;
  private LocalStateRecovery recovery;

  public UserProcessor(StreamConfig config, StreamMetrics metrics, ItemCache itemCache) {
    this.config = config;
    this.metrics = metrics;
    this.itemCache = itemCache;
    this.profileCodec = new ProfileCodec(config.modalities());
    this.requestsTopic = AppTopics.requestsTopic(config.applicationId());
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    int partition = context.taskId().partition();
    KeyValueStore<String, byte[]> itemStore = context.getStateStore(Names.ITEMS_STORE);
    KeyValueStore<String, byte[]> profiles = context.getStateStore(Names.PROFILES_STORE);
    KeyValueStore<String, byte[]> history = context.getStateStore(Names.HISTORY_STORE);
    KeyValueStore<String, byte[]> seen = context.getStateStore(Names.SEEN_STORE);
    journal = context.getStateStore(Names.JOURNAL_STORE);
    metaStore = new MetaStore(context.getStateStore(Names.META_STORE), journal);
    meta = metaStore.meta;
    ItemViews itemViews = new ItemViews(config);
    ProfileCheckpoints checkpoints = new ProfileCheckpoints(context.getStateStore(Names.CHECKPOINT_STORE), journal,
        config.journalCheckpoint());
    UserStateCache users = new UserStateCache(profiles, history, seen, config.userCacheBytes());

    // Built anew on every init: a revived task's stores were rolled back, and no memory-only state
    // (the dirty-user mirror, the unsent item-degree increments) may be ahead of them.
    gate = new InteractionGate(context, config, metrics, itemCache, itemViews, itemStore,
        context.getStateStore(Names.PENDING_STORE));
    profileUpdater = new ProfileUpdater(config, profileCodec, users, checkpoints);
    deltas = new ItemDegreeDeltas(context, journal, metaStore);
    snapshot = new SnapshotCut(context, config, partition, metaStore, journal, profiles, users, profileCodec,
        checkpoints, () -> gate.releaseHeld(context.currentSystemTimeMs(), this::accept), gate::heldCount, metrics);
    emitter = new ProfileEmitter(context, config, metrics, profileCodec, users,
        context.getStateStore(Names.DIRTY_STORE));
    recovery = new LocalStateRecovery(profiles, history, seen, users, checkpoints, meta, itemCache, itemStore, itemViews,
        profileUpdater, metrics, partition);

    recovery.rebuildIfNeeded();
    deltas.recover();

    context.schedule(config.holdCheckInterval(), PunctuationType.WALL_CLOCK_TIME,
        now -> gate.releaseHeld(now, this::accept));
    context.schedule(config.itemDegreeFlushInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
      deltas.flush();
      snapshot.truncateJournal(); // the watermark may have held the last cut's truncation back
    });
    if (!config.profileEmitInterval().isZero()) {
      context.schedule(config.profileEmitInterval(), PunctuationType.WALL_CLOCK_TIME, emitter::emitDirty);
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    if (md.topic().equals(requestsTopic)) {
      snapshot.cut(record);
      return;
    }
    Source source = new Source(md.topic(), md.partition(), md.offset(), record.timestamp());
    meta.position = md.offset() + 1; // first: a journal entry written for this record carries it
    long seq = meta.nextSeq;
    try {
      Admitted admitted = gate.admit(record.key(), record.value(), source);
      if (admitted != null) {
        accept(admitted);
      }
    } catch (RegistryUnavailableException | KafkaException e) {
      throw e; // not this record's fault (or a task migration): let Kafka Streams retry from the commit
    } catch (RuntimeException e) {
      LOG.warn("processing record {}-{}@{} failed; dead-lettering it", md.topic(), md.partition(), md.offset(), e);
      gate.deadLetter(record.key(), record.value(), source, Reason.PROCESSING_ERROR, e.toString());
    }
    if (meta.nextSeq == seq) {
      metaStore.save(); // no journal entry carries this record's position
    }
  }

  /**
   * An interaction that passed the gate (now, or released from a hold), unless the user already
   * accepted its event id: a duplicate is dropped here, after any hold, so that a duplicate of a
   * held record is held too and dropped when both are released.
   */
  private void accept(Admitted admitted) {
    Interaction in = admitted.interaction();
    String user = in.getUserId().toString();
    long eventHash = SeenIds.hash(in.getEventId());
    UserStateCache.Entry state = profileUpdater.state(user);
    if (profileUpdater.seen(state, eventHash, admitted.timestamp())) {
      metrics.duplicate();
      return;
    }
    String itemId = in.getItemId().toString();
    long eventTime = in.getEventTime().toEpochMilli();
    state = profileUpdater.apply(user, state, itemId, eventTime, in.getSplit(), admitted.item(), eventHash,
        admitted.timestamp());
    deltas.add(itemId, SplitCounts.slot(in.getSplit()));
    journal.append(meta.nextSeq, JournalLine.encode(user, itemId, eventTime, in.getSplit(), in.getWeight(),
        meta.position, eventHash, admitted.timestamp()));
    meta.nextSeq++;
    metrics.accepted();
    snapshot.requestIfDue(admitted.timestamp());
    emitter.changed(user, state, admitted.timestamp());
  }

  @Override
  public void close() {
    if (recovery != null) { // null when init failed before wiring the stores: nothing to mark
      recovery.markClean();
    }
  }
}
