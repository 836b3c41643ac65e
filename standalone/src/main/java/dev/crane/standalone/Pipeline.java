package dev.crane.standalone;

import dev.crane.api.app.RecommenderApi;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.ingest.publish.ProducerFactory;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.stream.StreamProcessorApp;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.publish.ManifestLog;
import dev.crane.trainer.publish.SnapshotLog;
import dev.crane.trainer.service.ServiceConfig;
import dev.crane.trainer.service.TrainerService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The roles after ingest, in this JVM: the stream processor (snapshots cut on request), the
 * trainer service on its own thread, and (once a version is out) the recommender API on a loopback
 * gRPC port with a client of it. Closing stops the API, the trainer after its current step, then
 * the processor.
 */
final class Pipeline implements AutoCloseable {
  private final Cluster cluster;
  private final Path state;
  private final StreamProcessorApp processor;
  private final TrainerService trainer;
  private final Thread trainerThread;
  private final AtomicBoolean stop = new AtomicBoolean();
  private RecommenderApi api;
  private ManagedChannel channel;

  private Pipeline(Cluster cluster, Path state, StreamProcessorApp processor, TrainerService trainer) {
    this.cluster = cluster;
    this.state = state;
    this.processor = processor;
    this.trainer = trainer;
    this.trainerThread = new Thread(() -> trainer.run(stop::get), "trainer-service");
  }

  static Pipeline start(Cluster cluster, Path state, List<Modality> modalities, String model, int epochs) {
    // The embedded default keeps its state in a temporary directory on purpose: Kafka Streams' warning
    // against exactly that is noise here (it stays on for the stream processor's own jar).
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        "org.apache.kafka.streams.processor.internals.StateDirectory")).setLevel(ch.qos.logback.classic.Level.ERROR);
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", cluster.bootstrapServers());
    s.put("schema.registry.url", cluster.schemaRegistryUrl());
    s.put("state.dir", state.resolve("stream").toString());
    s.put("snapshot.dir", state.resolve("snapshots").toString());
    s.put("modalities", Modality.format(modalities));
    s.put("snapshot.interval.ms", Long.toString(Duration.ofMinutes(10).toMillis()));
    s.put("metrics.port", "-1");
    StreamProcessorApp processor = StreamProcessorApp.start(ConfigLoader.fromMap(s), new SimpleMeterRegistry(), false);
    Map<String, String> t = new HashMap<>();
    t.put("bootstrap.servers", cluster.bootstrapServers());
    t.put("schema.registry.url", cluster.schemaRegistryUrl());
    t.put("state.dir", state.resolve("trainer").toString());
    t.put("model", model);
    t.put("full.epochs", Integer.toString(epochs));
    t.put("hyperparameters", "tiktok"); // the column tuned on a small dataset: lr 1e-3 learns in few epochs
    t.put("metrics.port", "-1");
    Devices.ensureOffline();
    TrainerService trainer;
    try {
      trainer = TrainerService.start(ServiceConfig.of(t), new SimpleMeterRegistry(), TrainerService.Hooks.NONE);
    } catch (RuntimeException e) {
      processor.close();
      throw e;
    }
    Pipeline p = new Pipeline(cluster, state, processor, trainer);
    p.trainerThread.start();
    return p;
  }

  /**
   * Waits for the processor to take in everything published, asks for a snapshot and returns its
   * manifest (the one after {@code previous}, 0 for the first).
   */
  SnapshotManifest snapshot(long previous, Duration timeout) throws InterruptedException {
    Await.until("the stream processor to consume the interactions", timeout, processor::caughtUp);
    processor.requestSnapshot();
    return Await.value("snapshot v" + (previous + 1), timeout, () -> {
      SnapshotManifest m = newestSnapshot();
      return m != null && m.getVersion() > previous ? m : null;
    });
  }

  /**
   * The trainer's next decision: the newest manifest once one numbered {@code version} or later is
   * out, whether a published (COMPLETE) or a REJECTED one.
   */
  ModelVersion version(long version, Duration timeout) throws InterruptedException {
    return Await.value("model version " + version, timeout, () -> {
      if (!trainer.healthy()) {
        throw new IllegalStateException("the trainer service stopped; its log above says why");
      }
      return ManifestLog.read(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), Duration.ofSeconds(10))
          .latest().filter(v -> v.getVersion() >= version).orElse(null);
    });
  }

  /** Starts the recommender API on a free loopback port and waits until it serves; returns its port. */
  int startApi(Duration timeout) throws InterruptedException {
    Map<String, String> a = new HashMap<>();
    a.put("bootstrap.servers", cluster.bootstrapServers());
    a.put("schema.registry.url", cluster.schemaRegistryUrl());
    a.put("state.dir", state.resolve("api").toString());
    a.put("grpc.host", "127.0.0.1");
    a.put("grpc.port", "0");
    a.put("metrics.port", "-1");
    // The stream processor's RocksDB stores share this JVM's default Env: their flushes keep their priority.
    a.put("store.background.nice", "false");
    api = RecommenderApi.start(dev.crane.api.config.ConfigLoader.fromMap(a), ApiMetrics.inMemory());
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", api.grpcPort()).usePlaintext().build();
    Await.until("the recommender API to serve a version", timeout, api::healthy);
    return api.grpcPort();
  }

  /** A blocking client of the API (after {@link #startApi}). */
  RecommenderGrpc.RecommenderBlockingStub client() {
    return RecommenderGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Live traffic: interactions without a split label, published as an app would. */
  void publish(List<Interaction> interactions) {
    try (var producer = ProducerFactory.create(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), Map.of())) {
      for (Interaction in : interactions) {
        producer.send(new ProducerRecord<>(Topics.INTERACTIONS, in.getUserId(), in));
      }
      producer.flush();
    }
  }

  private SnapshotManifest newestSnapshot() {
    return SnapshotLog.read(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), Duration.ofSeconds(10)).newest()
        .orElse(null);
  }

  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (api != null) {
      api.close();
    }
    stop.set(true);
    trainerThread.join(Duration.ofMinutes(2).toMillis());
    trainer.close();
    processor.close();
  }
}
