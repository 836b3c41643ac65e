package dev.crane.stream.topology;

import dev.crane.schemas.avro.Interaction;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.deadletter.DeadLetters.Source;
import dev.crane.stream.deadletter.Reason;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.snapshot.CutWriter;
import dev.crane.stream.snapshot.SnapshotMessages;
import dev.crane.stream.topology.InteractionGate.Admitted;
import java.nio.charset.StandardCharsets;
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
 * One input partition's users: applies each interaction to the user's profile (Eq. 5 sums and
 * degrees), history and the item-degree increments, after the bad-input rules (decode, validate,
 * dedup, hold for unknown items, dimension and finiteness checks). Also cuts this partition's part
 * of a snapshot when the coordinator asks (the request arrives on a topic co-partitioned with the
 * interactions, so the cut sees exactly the state after the records before it).
 *
 * <p>Every write goes to a store or a sink of this task, so under exactly_once_v2 it commits
 * atomically with the input offsets: a replayed record can never be counted twice.
 */
public final class UserProcessor implements Processor<byte[], byte[], Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(UserProcessor.class);

  private final StreamConfig config;
  private final StreamMetrics metrics;
  private final ProfileCodec profileCodec;
  private final String requestsTopic;

  private ProcessorContext<Object, Object> context;
  private InteractionGate gate;
  private KeyValueStore<String, byte[]> profiles;
  private MetaStore metaStore;
  private KeyValueStore<Long, byte[]> journal;
  private ProfileCheckpoints checkpoints;
  private PartitionMeta meta;
  private UserStateCache users;
  private ProfileUpdater profileUpdater;
  private LocalStateRecovery recovery;
  private ProfileEmitter emitter;
  private ItemDegreeDeltas deltas;
  private int partition;

  private final ItemCache itemCache;

  public UserProcessor(StreamConfig config, StreamMetrics metrics, ItemCache itemCache) {
    this.config = config;
    this.itemCache = itemCache;
    this.metrics = metrics;
    this.profileCodec = new ProfileCodec(config.modalities());
    this.requestsTopic = AppTopics.requestsTopic(config.applicationId());
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.partition = context.taskId().partition();
    ItemViews itemViews = new ItemViews(config);
    KeyValueStore<String, byte[]> itemStore = context.getStateStore(Names.ITEMS_STORE);
    profiles = context.getStateStore(Names.PROFILES_STORE);
    KeyValueStore<String, byte[]> history = context.getStateStore(Names.HISTORY_STORE);
    metaStore = new MetaStore(context.getStateStore(Names.META_STORE));
    journal = context.getStateStore(Names.JOURNAL_STORE);
    meta = metaStore.meta;
    checkpoints = new ProfileCheckpoints(context.getStateStore(Names.CHECKPOINT_STORE), journal,
        config.journalCheckpoint());
    users = new UserStateCache(profiles, history, config.userCacheBytes());
    profileUpdater = new ProfileUpdater(config, profileCodec, users, checkpoints);
    recovery = new LocalStateRecovery(profiles, history, users, checkpoints, meta,
        itemCache, itemStore, itemViews, profileUpdater, metrics, partition);
    recovery.rebuildIfNeeded();
    // new on every init: a revived task's stores were rolled back, its memory-only state may be ahead of them
    deltas = new ItemDegreeDeltas(context, journal, metaStore);
    deltas.recover();
    gate = new InteractionGate(context, config, metrics, itemCache, itemViews, itemStore,
        context.getStateStore(Names.DEDUP_STORE), context.getStateStore(Names.PENDING_STORE));
    emitter = new ProfileEmitter(context, config, metrics, profileCodec, users, context.getStateStore(Names.DIRTY_STORE));
    context.schedule(config.holdCheckInterval(), PunctuationType.WALL_CLOCK_TIME, now -> gate.releaseHeld(now, this::accept));
    context.schedule(config.itemDegreeFlushInterval(), PunctuationType.WALL_CLOCK_TIME, t -> {
      deltas.flush();
      truncateJournal(); // the watermark may have held the last cut's truncation back
    });
    if (!config.profileEmitInterval().isZero()) {
      context.schedule(config.profileEmitInterval(), PunctuationType.WALL_CLOCK_TIME, emitter::emitDirty);
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata md = context.recordMetadata().orElseThrow();
    if (md.topic().equals(requestsTopic)) {
      cut(record);
      return;
    }
    Source source = new Source(md.topic(), md.partition(), md.offset(), record.timestamp());
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
    meta.position = md.offset() + 1;
    metaStore.save();
  }

  /** An admitted interaction: the profile, the item-degree increment, the journal entry, the emission. */
  private void accept(Admitted admitted) {
    Interaction in = admitted.interaction();
    long timestamp = admitted.timestamp();
    String user = in.getUserId().toString();
    String itemId = in.getItemId().toString();
    long eventTime = in.getEventTime().toEpochMilli();
    int slot = SplitCounts.slot(in.getSplit());
    byte[] profile = profileUpdater.apply(user, itemId, eventTime, in.getSplit(), admitted.item());
    deltas.add(itemId, slot);
    journal.put(meta.nextSeq, JournalLine.encode(user, itemId, eventTime, in.getSplit(), in.getWeight()));
    meta.nextSeq++;
    metrics.accepted();
    if (config.snapshotsEnabled()) {
      long threshold = config.snapshotEveryInteractions();
      long fresh = meta.nextSeq - meta.lastCutSeq;
      if (threshold > 0 && !meta.cutRequested && fresh >= Math.max(1, threshold / config.inputPartitions())) {
        meta.cutRequested = true;
        context.forward(new Record<>("want-" + partition, SnapshotMessages.want(partition, fresh), timestamp),
            Names.PARTS_SINK);
      }
    }
    emitter.changed(user, profile, timestamp);
  }

  /** Writes this partition's part of the requested snapshot version and reports it. */
  private void cut(Record<byte[], byte[]> request) {
    long version = SnapshotMessages.requestedVersion(new String(request.value(), StandardCharsets.UTF_8));
    if (!config.snapshotsEnabled() || version <= meta.lastCutVersion) {
      return; // snapshots off, or this version is already cut (a request is never acted on twice)
    }
    long pendingCount = gate.heldCount();
    users.flushAll(); // the part is written from the profile store
    CutWriter.Part part = new CutWriter(config, profileCodec).write(version, partition, meta, journal, profiles,
        pendingCount);
    int checkpointed = checkpoints.write(meta, users);
    meta.lastCutSeq = meta.nextSeq;
    meta.lastCutVersion = version;
    meta.cutRequested = false;
    long deleted = checkpoints.truncate(meta);
    metaStore.save();
    LOG.debug("partition {}: cut v{}, checkpointed {} users at entry {}, deleted {} journal entries (kept from {})",
        partition, version, checkpointed, meta.checkpointSeq, deleted, meta.journalFrom);
    context.forward(new Record<Object, Object>("part-" + version + "-" + partition, SnapshotMessages.part(part),
        request.timestamp()), Names.PARTS_SINK);
  }

  @Override
  public void close() {
    if (recovery != null) { // null when init failed before wiring the stores: nothing to mark
      recovery.markClean();
    }
  }

  private void truncateJournal() {
    if (checkpoints.truncate(meta) > 0) {
      metaStore.save();
    }
  }
}
