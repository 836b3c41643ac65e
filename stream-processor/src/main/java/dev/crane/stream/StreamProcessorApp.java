package dev.crane.stream;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.ops.metrics.MetricsServer;
import dev.crane.schemas.Topics;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.config.StreamsProperties;
import dev.crane.stream.metrics.KafkaStreamsGauges;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.snapshot.SnapshotMessages;
import dev.crane.stream.topology.CraneTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream processor as a running service: topics checked, topology started with exactly-once
 * v2, metrics served, closed gracefully (commit, then leave the group) on SIGTERM.
 *
 * Started by {@link dev.crane.stream.cli.StreamProcessorCli} (the jar's main) or in-process by tests.
 */
public final class StreamProcessorApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorApp.class);
  static final List<String> STORES = List.of(Names.PROFILES_STORE, Names.HISTORY_STORE, Names.ITEM_STATS_STORE,
      Names.SEEN_STORE, Names.PENDING_STORE, Names.ITEMS_STORE, Names.JOURNAL_STORE, Names.CHECKPOINT_STORE);

  private final StreamConfig config;
  private final KafkaStreams streams;
  private final StreamMetrics metrics;
  private final ExecutorService snapshotExecutor;
  private final MetricsServer metricsServer;

  private StreamProcessorApp(StreamConfig config, MeterRegistry registry, boolean serveMetrics) {
    int partitions;
    Map<String, Object> adminConfig = KafkaClientDefaults.common();
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    try (Admin admin = Admin.create(adminConfig)) {
      partitions = AppTopics.ensure(admin, config.applicationId(), config.inputPartitions());
    }
    this.config = config.withInputPartitions(partitions);
    this.metrics = new StreamMetrics(registry);
    this.snapshotExecutor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "snapshot-assembler");
      t.setDaemon(true);
      return t;
    });
    this.streams = new KafkaStreams(CraneTopology.build(this.config, metrics, snapshotExecutor),
        StreamsProperties.of(this.config));
    // A bad record never reaches here (it is dead-lettered); what does is transient (registry
    // down, fenced producer): replace the thread and resume from the last commit.
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed; replacing it (processing resumes from the last commit)", e);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    new KafkaStreamsMetrics(streams).bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    KafkaStreamsGauges.bind(streams, registry, Topics.INTERACTIONS, STORES);
    MetricsServer server = null;
    if (serveMetrics && registry instanceof PrometheusMeterRegistry prom && config.metricsPort() >= 0) {
      try {
        server = new MetricsServer(config.metricsPort(), prom, this::healthy);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve metrics on port " + config.metricsPort(), e);
      }
    }
    this.metricsServer = server;
  }

  /** Starts an instance (tests run several in one JVM with distinct state directories). */
  public static StreamProcessorApp start(StreamConfig config, MeterRegistry registry, boolean serveMetrics) {
    StreamProcessorApp app = new StreamProcessorApp(config, registry, serveMetrics);
    LOG.info("starting stream processor: {}", app.config.describe());
    app.streams.start();
    return app;
  }

  /**
   * True when this application's group has committed every interaction on the topic so far: what
   * was published before the call is in the profiles (and in the next snapshot cut).
   */
  public boolean caughtUp() {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    try (Admin admin = Admin.create(c)) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata().get();
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < config.inputPartitions(); p++) {
        latest.put(new org.apache.kafka.common.TopicPartition(Topics.INTERACTIONS, p),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
          || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue().offset());
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Asks for a snapshot now, as the count trigger does when many interactions are new. It cuts
   * whatever each partition has processed when the request reaches it: wait for the input to be
   * consumed first when the snapshot must cover it.
   */
  public void requestSnapshot() {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    try (Producer<String, String> p = new KafkaProducer<>(c, new StringSerializer(), new StringSerializer())) {
      p.send(new ProducerRecord<>(AppTopics.partsTopic(config.applicationId()), "want-request",
          SnapshotMessages.want(-1, 0))).get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot request a snapshot: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while requesting a snapshot", e);
    }
  }

  public boolean healthy() {
    KafkaStreams.State s = streams.state();
    return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
  }

  public KafkaStreams streams() {
    return streams;
  }

  public StreamMetrics metrics() {
    return metrics;
  }

  public StreamConfig config() {
    return config;
  }

  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** Graceful: commits what was processed, then leaves the group so partitions move at once. */
  @Override
  public void close() {
    streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30))
        .leaveGroup(true));
    // Let an assembly in progress finish, so that no late rename races the next coordinator's.
    snapshotExecutor.shutdown();
    try {
      if (!snapshotExecutor.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
        snapshotExecutor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      snapshotExecutor.shutdownNow();
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
  }
}
