package dev.crane.stream.topology;

import dev.crane.schemas.avro.Interaction;
import dev.crane.stream.codec.ItemView;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.codec.PendingCodec;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.deadletter.DeadLetters;
import dev.crane.stream.deadletter.DeadLetters.Source;
import dev.crane.stream.deadletter.Reason;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.snapshot.CutWriter;
import dev.crane.stream.snapshot.SnapshotMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
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
  private static final byte[] DIRTY = new byte[0];

  private final StreamConfig config;
  private final StreamMetrics metrics;
  private final ProfileCodec profileCodec;
  private final String requestsTopic;

  private ProcessorContext<Object, Object> context;
  private Decoder<Interaction> interactions;
  private ItemViews itemViews;
  private KeyValueStore<String, byte[]> itemStore;
  private KeyValueStore<String, byte[]> profiles;
  private WindowStore<String, byte[]> dedup;
  private KeyValueStore<String, byte[]> pending;
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
    interactions = new Decoder<>(Interaction.class, config.serdeConfig(), config.registryRetry());
    itemViews = new ItemViews(config);
    itemStore = context.getStateStore(Names.ITEMS_STORE);
    profiles = context.getStateStore(Names.PROFILES_STORE);
    KeyValueStore<String, byte[]> history = context.getStateStore(Names.HISTORY_STORE);
    dedup = context.getStateStore(Names.DEDUP_STORE);
    pending = context.getStateStore(Names.PENDING_STORE);
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
    emitter = new ProfileEmitter(context, config, metrics, profileCodec, users, context.getStateStore(Names.DIRTY_STORE));
    context.schedule(config.holdCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::releaseHeld);
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
      handle(record.key(), record.value(), source);
    } catch (RegistryUnavailableException | KafkaException e) {
      throw e; // not this record's fault (or a task migration): let Kafka Streams retry from the commit
    } catch (RuntimeException e) {
      LOG.warn("processing record {}-{}@{} failed; dead-lettering it", md.topic(), md.partition(), md.offset(), e);
      deadLetter(record.key(), record.value(), source, Reason.PROCESSING_ERROR, e.toString());
    }
    meta.position = md.offset() + 1;
    metaStore.save();
  }

  private void handle(byte[] key, byte[] value, Source source) {
    Interaction in = decode(key, value, source);
    if (in == null) {
      return;
    }
    String invalid = invalid(in, key);
    if (invalid != null) {
      deadLetter(key, value, source, Reason.INVALID, invalid);
      return;
    }
    if (seenBefore(in.getEventId().toString(), source.timestamp())) {
      metrics.duplicate();
      return;
    }
    String itemId = in.getItemId().toString();
    ItemView cached = itemCache.get(itemId);
    if (cached != null) {
      applyOrReject(in, cached, key, value, source);
      return;
    }
    long version = itemCache.version(itemId);
    long epoch = itemCache.epoch();
    byte[] itemBytes = itemStore.get(itemId);
    if (itemBytes == null) {
      hold(itemId, key, value, source);
      return;
    }
    ItemView view = view(in, itemBytes);
    itemCache.put(itemId, view, version, epoch);
    applyOrReject(in, view, key, value, source);
  }

  private Interaction decode(byte[] key, byte[] value, Source source) {
    if (value == null) {
      deadLetter(key, null, source, Reason.MALFORMED, "null value (tombstone) on the interactions topic");
      return null;
    }
    try {
      return interactions.decode(source.topic(), value);
    } catch (SerializationException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      Reason r = msg.contains("unknown schema id") ? Reason.UNKNOWN_SCHEMA : Reason.MALFORMED;
      deadLetter(key, value, source, r, msg);
      return null;
    }
  }

  /** Why the decoded record cannot be used, or null. */
  static String invalid(Interaction in, byte[] key) {
    String user = in.getUserId().toString();
    String item = in.getItemId().toString();
    String event = in.getEventId().toString();
    if (user.isEmpty() || item.isEmpty() || event.isEmpty()) {
      return "empty eventId, userId or itemId";
    }
    if (hasControl(user) || hasControl(item)) {
      return "userId or itemId contains a tab, newline or NUL";
    }
    if (key == null || !Arrays.equals(key, user.getBytes(StandardCharsets.UTF_8))) {
      return "record key " + (key == null ? "null" : "'" + new String(key, StandardCharsets.UTF_8) + "'")
          + " differs from userId '" + user + "' (the topic must be keyed by user so a profile lives in one partition)";
    }
    if (in.getWeight() != null && !Float.isFinite(in.getWeight())) {
      return "non-finite weight " + in.getWeight();
    }
    return null;
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\t' || c == '\n' || c == '\r' || c == '\0') {
        return true;
      }
    }
    return false;
  }

  /** Marks the event id seen; true when it already was within the dedup window. */
  private boolean seenBefore(String eventId, long timestamp) {
    long window = config.dedupWindow().toMillis();
    try (WindowStoreIterator<byte[]> it = dedup.fetch(eventId, Math.max(0, timestamp - window), timestamp + window)) {
      if (it.hasNext()) {
        return true;
      }
    }
    dedup.put(eventId, DIRTY, timestamp);
    return false;
  }

  private void hold(String itemId, byte[] key, byte[] value, Source source) {
    if (config.unknownItemHold().isZero()) {
      deadLetter(key, value, source, Reason.UNKNOWN_ITEM, "item " + itemId + " has no features (no hold configured)");
      return;
    }
    pending.put(PendingCodec.storeKey(itemId, source.partition(), source.offset()),
        PendingCodec.encode(new PendingCodec.Held(source, context.currentSystemTimeMs(), key, value)));
    metrics.held();
  }

  private ItemView view(Interaction in, byte[] itemBytes) {
    try {
      return itemViews.decode(itemBytes);
    } catch (SerializationException e) {
      return ItemView.rejected(Reason.ITEM_MALFORMED, "item " + in.getItemId() + ": " + e.getMessage());
    }
  }

  private void resolveAndApply(Interaction in, byte[] itemBytes, byte[] key, byte[] value, Source source) {
    applyOrReject(in, view(in, itemBytes), key, value, source);
  }

  private void applyOrReject(Interaction in, ItemView view, byte[] key, byte[] value, Source source) {
    if (!view.usable()) {
      deadLetter(key, value, source, view.rejection(), view.detail());
      return;
    }
    apply(in, view, source.timestamp());
  }

  private void apply(Interaction in, ItemView item, long timestamp) {
    String user = in.getUserId().toString();
    String itemId = in.getItemId().toString();
    long eventTime = in.getEventTime().toEpochMilli();
    int slot = SplitCounts.slot(in.getSplit());
    byte[] profile = profileUpdater.apply(user, itemId, eventTime, in.getSplit(), item);
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

  /** Applies held records whose item has arrived; dead-letters those held too long. */
  private void releaseHeld(long now) {
    List<KeyValue<String, byte[]>> held = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = pending.all()) {
      it.forEachRemaining(held::add);
    }
    if (held.isEmpty()) {
      return;
    }
    Map<String, byte[]> itemCache = new HashMap<>();
    for (KeyValue<String, byte[]> kv : held) {
      String itemId = PendingCodec.itemOf(kv.key);
      byte[] itemBytes = itemCache.computeIfAbsent(itemId, itemStore::get);
      PendingCodec.Held h = PendingCodec.decode(kv.value);
      if (itemBytes != null) {
        pending.delete(kv.key);
        try {
          Interaction in = interactions.decode(h.source().topic(), h.value());
          resolveAndApply(in, itemBytes, h.key(), h.value(), h.source());
        } catch (RegistryUnavailableException | KafkaException e) {
          throw e;
        } catch (RuntimeException e) {
          deadLetter(h.key(), h.value(), h.source(), Reason.PROCESSING_ERROR, e.toString());
        }
      } else if (now - h.arrivedAtMs() >= config.unknownItemHold().toMillis()) {
        pending.delete(kv.key);
        deadLetter(h.key(), h.value(), h.source(), Reason.UNKNOWN_ITEM, "item " + itemId
            + " had no features after a hold of " + Duration.ofMillis(now - h.arrivedAtMs()).toSeconds() + " s");
      }
    }
  }

  private void deadLetter(byte[] key, byte[] value, Source source, Reason reason, String detail) {
    context.forward(DeadLetters.record(key, value, source, reason, detail, source.timestamp()), Names.DLQ_SINK);
    metrics.deadLetter(reason);
  }

  /** Writes this partition's part of the requested snapshot version and reports it. */
  private void cut(Record<byte[], byte[]> request) {
    long version = SnapshotMessages.requestedVersion(new String(request.value(), StandardCharsets.UTF_8));
    if (!config.snapshotsEnabled() || version <= meta.lastCutVersion) {
      return; // snapshots off, or this version is already cut (a request is never acted on twice)
    }
    long pendingCount;
    try (KeyValueIterator<String, byte[]> it = pending.all()) {
      long c = 0;
      while (it.hasNext()) {
        it.next();
        c++;
      }
      pendingCount = c;
    }
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
