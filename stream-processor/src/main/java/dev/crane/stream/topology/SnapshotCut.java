package dev.crane.stream.topology;

import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.journal.JournalStore;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.snapshot.CutWriter;
import dev.crane.stream.snapshot.SnapshotMessages;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This partition's side of a snapshot: asks the coordinator for a cut once enough interactions
 * have been accepted since the last one, and cuts this partition's part when the coordinator asks
 * (the request arrives on a topic co-partitioned with the interactions, so the cut sees exactly the
 * state after the records before it, and after the held records whose item has arrived, which it
 * releases first). A cut also checkpoints the changed users and truncates the
 * journal below them.
 */
final class SnapshotCut {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCut.class);

  private final ProcessorContext<Object, Object> context;
  private final StreamConfig config;
  private final int partition;
  private final MetaStore metaStore;
  private final PartitionMeta meta;
  private final JournalStore journal;
  private final KeyValueStore<String, byte[]> profiles;
  private final UserStateCache users;
  private final ProfileCodec profileCodec;
  private final ProfileCheckpoints checkpoints;
  private final Runnable releaseHeld;
  private final LongSupplier heldCount;
  private final StreamMetrics metrics;
  /** While a cut releases held records: they belong to it, not to the next version. */
  private boolean cutting;
  /** Whether this task told the coordinator it has interactions beyond its last cut (not persisted: a restart tells again). */
  private boolean freshReported;

  /**
   * @param releaseHeld applies the held records whose item has arrived (run before a cut: the cut's items include
   *     that item, and a reader that waited for the input to be consumed expects its interactions too)
   * @param heldCount how many records wait for their item (a part reports it)
   */
  SnapshotCut(ProcessorContext<Object, Object> context, StreamConfig config, int partition, MetaStore metaStore,
      JournalStore journal, KeyValueStore<String, byte[]> profiles, UserStateCache users,
      ProfileCodec profileCodec, ProfileCheckpoints checkpoints, Runnable releaseHeld, LongSupplier heldCount,
      StreamMetrics metrics) {
    this.context = context;
    this.config = config;
    this.partition = partition;
    this.metaStore = metaStore;
    this.meta = metaStore.meta;
    this.journal = journal;
    this.profiles = profiles;
    this.users = users;
    this.profileCodec = profileCodec;
    this.checkpoints = checkpoints;
    this.releaseHeld = releaseHeld;
    this.heldCount = heldCount;
    this.metrics = metrics;
  }

  /** After an accepted interaction (at {@code timestamp}): asks for a cut when this partition wants one. */
  void requestIfDue(long timestamp) {
    if (config.snapshotsEnabled() && !cutting) {
      if (!freshReported) {
        freshReported = true;
        context.forward(new Record<>("fresh-" + partition, SnapshotMessages.fresh(partition), timestamp),
            Names.PARTS_SINK);
      }
      long threshold = config.snapshotEveryInteractions();
      long fresh = meta.nextSeq - meta.lastCutSeq;
      if (threshold > 0 && !meta.cutRequested && fresh >= Math.max(1, threshold / config.inputPartitions())) {
        meta.cutRequested = true;
        metaStore.save(); // accepted interactions do not save the meta (their journal entries stand for it)
        context.forward(new Record<>("want-" + partition, SnapshotMessages.want(partition, fresh), timestamp),
            Names.PARTS_SINK);
      }
    }
  }

  /** Writes this partition's part of the requested snapshot version and reports it. */
  void cut(Record<byte[], byte[]> request) {
    long version = SnapshotMessages.requestedVersion(new String(request.value(), StandardCharsets.UTF_8));
    if (!config.snapshotsEnabled() || version <= meta.lastCutVersion) {
      return; // snapshots off, or this version is already cut (a request is never acted on twice)
    }
    long t0 = System.nanoTime();
    cutting = true;
    try {
      releaseHeld.run();
    } finally {
      cutting = false;
    }
    long pendingCount = heldCount.getAsLong();
    users.flushAll(); // the part is written from the profile store
    CutWriter.Part part = new CutWriter(config, profileCodec).write(version, partition, meta, journal, profiles,
        pendingCount);
    int checkpointed = checkpoints.write(meta, users);
    meta.lastCutSeq = meta.nextSeq;
    meta.lastCutVersion = version;
    meta.cutRequested = false;
    freshReported = false;
    long deleted = checkpoints.truncate(meta);
    metaStore.save();
    metrics.cutPart(System.nanoTime() - t0); // the input of this task waited that long
    LOG.debug("partition {}: cut v{}, checkpointed {} users at entry {}, deleted {} journal entries (kept from {})",
        partition, version, checkpointed, meta.checkpointSeq, deleted, meta.journalFrom);
    context.forward(new Record<Object, Object>("part-" + version + "-" + partition, SnapshotMessages.part(part),
        request.timestamp()), Names.PARTS_SINK);
  }

  /** Deletes the journal entries that no bound needs any more (a cut's truncation may have been held back). */
  void truncateJournal() {
    if (checkpoints.truncate(meta) > 0) {
      metaStore.save();
    }
  }
}
