package dev.crane.trainer.service;

import ai.djl.ndarray.NDManager;
import dev.crane.ingest.dataset.DatasetException;
import dev.crane.ingest.dataset.SnapshotReader;
import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.publish.CheckpointVersion;
import dev.crane.trainer.publish.ManifestLog;
import dev.crane.trainer.publish.VersionData;
import dev.crane.trainer.publish.VersionPublisher;
import dev.crane.trainer.train.Checkpoint;
import dev.crane.trainer.train.EpochRecord;
import dev.crane.trainer.train.Retraining;
import dev.crane.trainer.train.TrainingListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trainer serve}: snapshots in, model versions out.
 *
 * <pre>
 *  snapshots (read_committed, from the group's committed offset)
 *     │ newest manifest of each poll (snapshots are cumulative)
 *     ├─ skip? (nothing new, too soon, already trained) ──────────► commit the offset
 *     ├─ read + verify the snapshot (SnapshotReader) ── bad? ──────► log, count, commit the offset
 *     ├─ Retraining: warm start from accepted/ (or from scratch), fine-tune, score vs the serving model
 *     ├─ Gate ── rejected ──► REJECTED manifest + offset, one transaction
 *     └─ accepted ──► pending/ ──► every embedding + COMPLETE manifest + offset, one transaction ──► accepted/
 * </pre>
 *
 * Exactly once: the offset of the snapshot's record commits in the same transaction as the version,
 * so a version is never published twice and a snapshot never trained twice once its version is out.
 * A crash after training leaves pending/, which a restart publishes (or finds published) without
 * retraining. A failed publish (broker or registry down) is retried every retry.backoff.ms; the
 * serving version is untouched until a whole new one commits.
 */
public final class TrainerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
  private static final TopicPartition SNAPSHOTS = new TopicPartition(Topics.SNAPSHOTS, 0);

  /** Seams for tests; none in production. */
  public interface Hooks {
    Hooks NONE = new Hooks() {};

    /** Called with each trained candidate before the gate; return true if it changed the model's parameters. */
    default boolean afterTraining(Retraining.Outcome candidate) {
      return false;
    }
  }

  private final ServiceConfig config;
  private final ServiceMetrics metrics;
  private final Hooks hooks;
  private final ServiceState state;
  private KafkaConsumer<String, SnapshotManifest> consumer;
  private VersionPublisher publisher;
  private long nextVersion;
  private long lastTrainingStart;
  private volatile boolean running = true;

  private TrainerService(ServiceConfig config, MeterRegistry registry, Hooks hooks) {
    this.config = config;
    this.metrics = new ServiceMetrics(registry);
    this.hooks = hooks;
    this.state = ServiceState.open(config.stateDir());
  }

  /**
   * The next version number, from the manifests published so far (read once, when first needed: a
   * retrain that publishes nothing needs no broker).
   */
  private long nextVersion() {
    if (nextVersion == 0) {
      ManifestLog log = ManifestLog.read(config.bootstrapServers(), config.schemaRegistryUrl(), config.connectTimeout());
      nextVersion = log.lastVersion() + 1;
      log.serving().ifPresent(v -> metrics.published(v.getVersion(), v.getMetrics().getOrDefault("holdout_recall@20",
          Double.NaN)));
    }
    return nextVersion;
  }

  /** Opens the state directory (locked); the topics are first read when needed. */
  public static TrainerService start(ServiceConfig config, MeterRegistry registry, Hooks hooks) {
    return new TrainerService(config, registry, hooks);
  }

  private KafkaConsumer<String, SnapshotManifest> snapshotConsumer() {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId()); // for its committed offset; partitions are assigned, not subscribed
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    AvroDeserializer<SnapshotManifest> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", config.schemaRegistryUrl(), "specific.avro.reader", true), false);
    KafkaConsumer<String, SnapshotManifest> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values);
    // one instance per group: assignment instead of membership, so that training for longer than
    // max.poll.interval.ms does not cost the partition, and offsets commit through the producer
    consumer.assign(List.of(SNAPSHOTS));
    OffsetAndMetadata committed = consumer.committed(java.util.Set.of(SNAPSHOTS), config.connectTimeout()).get(SNAPSHOTS);
    if (committed == null) {
      consumer.seekToBeginning(List.of(SNAPSHOTS));
    } else {
      consumer.seek(SNAPSHOTS, committed.offset());
    }
    return consumer;
  }

  /** Serves until {@code stop} says so: finishes an interrupted publish, then handles snapshots as they come. */
  public void run(BooleanSupplier stop) {
    try {
      finishPending(stop); // first: its transaction commits the offset the consumer then starts from
      nextVersion();
      consumer = snapshotConsumer();
      while (!stop.getAsBoolean()) {
        ConsumerRecords<String, SnapshotManifest> records;
        try {
          records = consumer.poll(Duration.ofSeconds(1));
        } catch (org.apache.kafka.common.KafkaException e) {
          // e.g. the registry is down, so a manifest cannot be decoded: the position stays, try again
          LOG.error("reading topic snapshots failed, retrying in {} ms: {}", config.retryBackoff().toMillis(),
              CliRunner.oneLine(e));
          pause(stop);
          continue;
        }
        ConsumerRecord<String, SnapshotManifest> newest = null;
        for (ConsumerRecord<String, SnapshotManifest> r : records) {
          if (r.value() != null && (newest == null || r.offset() > newest.offset())) {
            newest = r;
          }
        }
        if (newest != null) {
          handle(newest, stop);
        }
      }
    } finally {
      running = false;
    }
  }

  public boolean healthy() {
    return running;
  }

  private VersionPublisher.Offsets offsetsAfter(long snapshotRecordOffset) {
    return new VersionPublisher.Offsets(Map.of(SNAPSHOTS, new OffsetAndMetadata(snapshotRecordOffset + 1)),
        new ConsumerGroupMetadata(config.groupId()));
  }

  /** A snapshot to train on: its version, directory, record offset on topic snapshots (-1: not from the topic). */
  private record SnapshotRef(long version, String path, long recordOffset, long interactions, List<TopicOffset> inputs) {}

  /**
   * What one training led to.
   *
   * @param version the version published or rejected, -1 when nothing was written
   * @param checkpoint the candidate, with its provenance
   */
  public record Report(Gate.Decision decision, Retraining.Outcome candidate, long version, boolean written,
      Checkpoint checkpoint, Duration took) {}

  private void handle(ConsumerRecord<String, SnapshotManifest> record, BooleanSupplier stop) {
    SnapshotManifest m = record.value();
    long v = m.getVersion();
    VersionPublisher.Offsets offsets = offsetsAfter(record.offset());
    Optional<Checkpoint> accepted = state.accepted();
    String skip = skipReason(m, accepted);
    if (skip != null) {
      LOG.info("snapshot v{}: skipped ({})", v, skip);
      metrics.snapshot("skipped", v);
      transaction(p -> p.commitOffsets(offsets), stop);
      return;
    }
    SnapshotReader.Snapshot snapshot;
    try {
      snapshot = SnapshotReader.read(Path.of(m.getPath()));
    } catch (DatasetException | IOException | UncheckedIOException e) {
      LOG.error("snapshot v{}: cannot be used, skipped: {}", v, CliRunner.oneLine(e));
      metrics.snapshot("failed", v);
      transaction(p -> p.commitOffsets(offsets), stop);
      return;
    }
    try {
      train(new SnapshotRef(v, m.getPath(), record.offset(), m.getInteractions(), m.getOffsets()), snapshot, false,
          true, offsets, stop);
    } catch (IllegalArgumentException e) {
      // data that cannot train (no training interaction, a snapshot older than the model): not retried
      LOG.error("snapshot v{}: cannot train on it, skipped: {}", v, CliRunner.oneLine(e));
      metrics.snapshot("failed", v);
      transaction(p -> p.commitOffsets(offsets), stop);
    }
  }

  /**
   * {@code trainer retrain}: a training from scratch on a snapshot directory, scored against the
   * accepted model; with {@code publish}, gated and published like any other version.
   */
  public Report retrain(Path snapshotDir, boolean publish, BooleanSupplier stop) throws IOException {
    SnapshotReader.Snapshot s = SnapshotReader.read(snapshotDir);
    List<TopicOffset> inputs = s.inputs().stream()
        .map(i -> new TopicOffset(i.topic(), i.partition(), i.endOffset())).toList();
    return train(new SnapshotRef(s.version(), snapshotDir.toAbsolutePath().toString(), -1,
        s.dataset().interactions().size(), inputs), s, true, publish, null, stop);
  }

  /** Trains on a read snapshot; when {@code publish}, gates it and writes the version (with the offsets when given). */
  private Report train(SnapshotRef ref, SnapshotReader.Snapshot snapshot, boolean full, boolean publish,
      VersionPublisher.Offsets offsets, BooleanSupplier stop) {
    long v = ref.version();
    Optional<Checkpoint> accepted = state.accepted();
    LOG.info("snapshot v{}: {} users, {} items, {} interactions ({} new); training {}", v,
        snapshot.dataset().numUsers(), snapshot.dataset().numItems(), snapshot.dataset().interactions().size(),
        snapshot.newInteractions(), accepted.isPresent() && !full ? "from the accepted model"
            + (accepted.get().optimizer() != null && config.trainConfig(false).warmOptimizer() ? " and its optimizer state" : "")
            : "from scratch");
    lastTrainingStart = System.currentTimeMillis();
    try (NDManager manager = NDManager.newBaseManager(Devices.pick(false))) {
      long t0 = System.nanoTime();
      Retraining.Outcome o = Retraining.run(snapshot.dataset(), config.trainConfig(false), config.trainConfig(true),
          accepted.orElse(null), full, manager, new EpochLog(v), stop);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      if (stop.getAsBoolean()) {
        LOG.info("snapshot v{}: stopping; its training is abandoned and redone after a restart", v);
        return new Report(null, o, -1, false, null, took);
      }
      metrics.trained(o.mode().name().toLowerCase(Locale.ROOT), took);
      if (hooks.afterTraining(o)) {
        o = Retraining.rescored(o);
      }
      Gate.Decision d = Gate.decide(o, accepted.isPresent(), config.gateEnabled(), config.gateTolerance());
      Map<String, Double> published = manifestMetrics(o, took);
      if (!publish) {
        return new Report(d, o, -1, false, checkpoint(o, -1, ref, published), took);
      }
      metrics.decision(d.publish());
      long version = nextVersion();
      nextVersion++;
      Checkpoint ckpt = checkpoint(o, version, ref, published);
      if (d.publish()) {
        state.savePending(ckpt);
        VersionData data = VersionData.of(version, o.model(), o.data(), published, v, ref.inputs());
        if (!transaction(p -> p.publish(data, offsets), stop)) {
          return new Report(d, o, version, false, ckpt, took);
        }
        state.promotePending();
        metrics.snapshot("published", v);
        metrics.published(version, o.validRecall20());
        LOG.info(String.format(Locale.ROOT, "snapshot v%d: version %d published (%s, %s, %.1f s): %s; %,d users, %,d items",
            v, version, o.config().model(), o.mode() == Retraining.Mode.WARM ? "fine-tuned" : "trained from scratch",
            took.toMillis() / 1e3, d.reason(), data.userCount(), data.itemCount()));
      } else {
        ModelVersion rejected = rejectedManifest(version, o, v, ref.inputs(), published, d.reason());
        if (!transaction(p -> p.publishManifest(rejected, offsets), stop)) {
          return new Report(d, o, version, false, ckpt, took);
        }
        metrics.snapshot("rejected", v);
        LOG.warn("snapshot v{}: candidate rejected as version {}: {}; the serving version stays", v, version, d.reason());
      }
      return new Report(d, o, version, true, ckpt, took);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to state.dir " + config.stateDir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code trainer publish}: a saved model as the next version, rebuilt on its data, without the
   * gate (an operator's decision); it becomes the accepted model. @return the version
   */
  public long publishCheckpoint(Checkpoint ckpt, Path dataDir, BooleanSupplier stop) throws IOException {
    boolean isSnapshot = SnapshotReader.isSnapshot(dataDir);
    SnapshotReader.Snapshot snapshot = isSnapshot ? SnapshotReader.read(dataDir) : null;
    dev.crane.ingest.dataset.MmrecDataset ds = isSnapshot ? snapshot.dataset()
        : dev.crane.ingest.dataset.MmrecReader.read(dataDir);
    List<TopicOffset> inputs = isSnapshot ? snapshot.inputs().stream()
        .map(i -> new TopicOffset(i.topic(), i.partition(), i.endOffset())).toList() : List.of();
    long version = nextVersion();
    nextVersion++;
    Map<String, Double> metrics = new LinkedHashMap<>();
    ckpt.meta().metrics.forEach((k, x) -> {
      if (x instanceof Number n) {
        metrics.put(k, n.doubleValue());
      }
    });
    VersionData data;
    try (NDManager manager = NDManager.newBaseManager(Devices.pick(false))) {
      data = CheckpointVersion.of(ckpt, ds, version, isSnapshot ? snapshot.version() : null, inputs, metrics, manager);
    }
    Checkpoint.Provenance p = new Checkpoint.Provenance();
    p.modelVersion = version;
    p.snapshotVersion = isSnapshot ? snapshot.version() : -1;
    p.snapshotPath = dataDir.toAbsolutePath().toString();
    p.snapshotOffset = -1;
    p.snapshotInteractions = ds.interactions().size();
    p.inputOffsets = positions(inputs);
    p.metrics = metrics;
    ckpt.meta().provenance = p;
    ckpt.meta().userIds = data.userIds();
    ckpt.meta().itemIds = data.itemIds();
    state.savePending(ckpt);
    if (!transaction(pub -> pub.publish(data, null), stop)) {
      return -1;
    }
    state.promotePending();
    LOG.info("version {} published from the checkpoint ({} users, {} items)", version, data.userCount(), data.itemCount());
    return version;
  }

  /** Why a snapshot is not worth training, or null. */
  private String skipReason(SnapshotManifest m, Optional<Checkpoint> accepted) {
    if (m.getInteractions() == 0) {
      return "it has no interactions";
    }
    Checkpoint.Provenance p = accepted.map(c -> c.meta().provenance).orElse(null);
    if (p != null && m.getVersion() <= p.snapshotVersion) {
      return "the accepted model is from snapshot v" + p.snapshotVersion;
    }
    if (p != null && m.getInteractions() - p.snapshotInteractions < config.minNewInteractions()) {
      return (m.getInteractions() - p.snapshotInteractions) + " interactions beyond the accepted model's, fewer than "
          + config.minNewInteractions();
    }
    long since = System.currentTimeMillis() - lastTrainingStart;
    if (lastTrainingStart > 0 && since < config.minInterval().toMillis()) {
      return "the last training started " + since / 1000 + " s ago, less than trigger.min.interval.ms";
    }
    return null;
  }

  /** Publishes what a crash left in pending/, unless the manifest log shows it went out already. */
  private void finishPending(BooleanSupplier stop) {
    Optional<Checkpoint> pending = state.pending();
    if (pending.isEmpty()) {
      return;
    }
    Checkpoint.Provenance p = pending.get().meta().provenance;
    nextVersion = Math.max(nextVersion(), p.modelVersion + 1);
    try {
      boolean out = ManifestLog.read(config.bootstrapServers(), config.schemaRegistryUrl(), config.connectTimeout())
          .all().stream().anyMatch(m -> m.getVersion() == p.modelVersion && m.getStatus() == ModelStatus.COMPLETE);
      if (out) {
        LOG.info("version {} was published before the restart; it is now the accepted model", p.modelVersion);
        state.promotePending();
        return;
      }
      SnapshotReader.Snapshot snapshot = SnapshotReader.read(Path.of(p.snapshotPath));
      VersionData data;
      try (NDManager manager = NDManager.newBaseManager(Devices.pick(false))) {
        data = CheckpointVersion.of(pending.get(), snapshot.dataset(), p.modelVersion, p.snapshotVersion,
            CheckpointVersion.topicOffsets(p.inputOffsets), p.metrics, manager);
      }
      LOG.info("publishing version {} (snapshot v{}), trained before the restart", p.modelVersion, p.snapshotVersion);
      VersionPublisher.Offsets offsets = p.snapshotOffset >= 0 ? offsetsAfter(p.snapshotOffset) : null;
      if (transaction(pub -> pub.publish(data, offsets), stop)) {
        state.promotePending();
        metrics.published(p.modelVersion, p.metrics.getOrDefault("holdout_recall@20", Double.NaN));
        LOG.info("version {} published", p.modelVersion);
      }
    } catch (DatasetException | IOException | UncheckedIOException e) {
      LOG.error("the model trained before the restart (version {}) cannot be published, dropped: {}", p.modelVersion,
          CliRunner.oneLine(e));
      try {
        state.dropPending();
      } catch (IOException io) {
        throw new UncheckedIOException(io);
      }
    }
  }

  /** Runs one transaction, retrying on failure until it commits; false when stopped first. */
  private boolean transaction(Consumer<VersionPublisher> action, BooleanSupplier stop) {
    while (true) {
      try {
        if (publisher == null) {
          publisher = new VersionPublisher(config.bootstrapServers(), config.schemaRegistryUrl(),
              config.transactionalId(), config.publishRecordsPerSecond(), Map.of());
        }
        action.accept(publisher);
        return true;
      } catch (RuntimeException e) {
        metrics.publishFailed();
        LOG.error("publishing failed, retrying in {} ms: {}", config.retryBackoff().toMillis(), CliRunner.oneLine(e));
        if (publisher != null) {
          publisher.close();
          publisher = null;
        }
        if (!pause(stop)) {
          return false;
        }
      }
    }
  }

  /** Waits retry.backoff.ms; false when stopped (or interrupted) meanwhile. */
  private boolean pause(BooleanSupplier stop) {
    long until = System.nanoTime() + config.retryBackoff().toNanos();
    while (System.nanoTime() < until) {
      if (stop.getAsBoolean()) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static Map<String, Double> manifestMetrics(Retraining.Outcome o, Duration took) {
    Map<String, Double> m = new LinkedHashMap<>();
    o.valid().forEach((k, x) -> m.put("holdout_" + k, x));
    o.test().forEach((k, x) -> m.put("test_" + k, x));
    if (!o.baseline().isEmpty()) {
      m.put("baseline_holdout_recall@20", o.baselineRecall20());
    }
    m.put("train_seconds", took.toMillis() / 1e3);
    m.put("epochs", (double) o.result().history().size());
    m.put("warm_start", o.mode() == Retraining.Mode.WARM ? 1.0 : 0.0);
    return m;
  }

  private Checkpoint checkpoint(Retraining.Outcome o, long version, SnapshotRef ref, Map<String, Double> published) {
    Map<String, Object> meta = new LinkedHashMap<>(published);
    Checkpoint c = Checkpoint.of(o.model(), o.parameters(), o.config(), o.data().userIds(), o.data().itemIds(), meta)
        .withOptimizer(o.optimizer());
    Checkpoint.Provenance p = new Checkpoint.Provenance();
    p.modelVersion = version;
    p.snapshotVersion = ref.version();
    p.snapshotPath = ref.path();
    p.snapshotOffset = ref.recordOffset();
    p.snapshotInteractions = ref.interactions();
    p.inputOffsets = positions(ref.inputs());
    p.metrics = published;
    c.meta().provenance = p;
    return c;
  }

  private static List<Checkpoint.Position> positions(List<TopicOffset> offsets) {
    List<Checkpoint.Position> out = new ArrayList<>();
    for (TopicOffset t : offsets) {
      out.add(new Checkpoint.Position(t.getTopic(), t.getPartition(), t.getEndOffset()));
    }
    return out;
  }

  private static ModelVersion rejectedManifest(long version, Retraining.Outcome o, long snapshotVersion,
      List<TopicOffset> offsets, Map<String, Double> metrics, String reason) {
    return ModelVersion.newBuilder().setVersion(version).setModel(o.config().model().cliName())
        .setCreatedAt(java.time.Instant.now()).setSnapshotVersion(snapshotVersion).setDim(o.config().embeddingDim())
        .setUserCount(0).setItemCount(0).setMetrics(metrics).setStatus(ModelStatus.REJECTED).setInputOffsets(offsets)
        .setReason(reason).build();
  }

  /** One log line per epoch of a service training. */
  private static final class EpochLog implements TrainingListener {
    private final long snapshot;

    EpochLog(long snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public void epochDone(EpochRecord r) {
      LOG.info(String.format(Locale.ROOT, "snapshot v%d: epoch %d  loss %.5f  holdout R@20 %.4f  N@20 %.4f  %.1f s%s",
          snapshot, r.epoch(), r.loss(), r.valid().get("recall@20"), r.valid().get("ndcg@20"), r.seconds(),
          r.improved() ? "  *best" : ""));
    }
  }

  @Override
  public void close() {
    running = false;
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(5));
    }
    if (publisher != null) {
      publisher.close();
    }
    state.close();
  }
}
