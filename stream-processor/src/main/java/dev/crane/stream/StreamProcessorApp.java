package dev.crane.stream;

import dev.crane.schemas.Topics;
import dev.crane.stream.config.AppTopics;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.config.StreamsProperties;
import dev.crane.stream.metrics.KafkaStreamsGauges;
import dev.crane.stream.metrics.MetricsServer;
import dev.crane.stream.metrics.StreamMetrics;
import dev.crane.stream.topology.CraneTopology;
import dev.crane.stream.topology.Names;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream processor as a running service: topics checked, topology started with exactly-once
 * v2, metrics served, closed gracefully (commit, then leave the group) on SIGTERM.
 *
 * <pre>java -jar stream-processor.jar [--config file.properties] [--set key=value ...]</pre>
 */
public final class StreamProcessorApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorApp.class);
  static final List<String> STORES = List.of(Names.PROFILES_STORE, Names.HISTORY_STORE, Names.ITEM_STATS_STORE,
      Names.DEDUP_STORE, Names.PENDING_STORE, Names.ITEMS_STORE, Names.JOURNAL_STORE, Names.CHECKPOINT_STORE);

  private final StreamConfig config;
  private final KafkaStreams streams;
  private final StreamMetrics metrics;
  private final ExecutorService snapshotExecutor;
  private final MetricsServer metricsServer;

  private StreamProcessorApp(StreamConfig config, MeterRegistry registry, boolean serveMetrics) {
    int partitions;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
      partitions = AppTopics.ensure(admin, config.applicationId(), 2);
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

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> file = Path.of(next(args, ++i, "--config"));
        case "--set" -> {
          String kv = next(args, ++i, "--set");
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            usage("--set expects key=value, got '" + kv + "'");
          }
          overrides.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
        case "-h", "--help" -> usage(null);
        default -> usage("unknown argument '" + args[i] + "'");
      }
    }
    StreamConfig config;
    try {
      config = ConfigLoader.load(file, System.getenv(), overrides);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    StreamProcessorApp app = start(config, registry, true);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      app.close();
      done.countDown();
    }, "stream-processor-shutdown"));
    done.await();
  }

  private static String next(String[] args, int i, String flag) {
    if (i >= args.length) {
      usage(flag + " needs a value");
    }
    return args[i];
  }

  private static void usage(String error) {
    if (error != null) {
      System.err.println(error);
    }
    System.err.println("usage: stream-processor [--config file.properties] [--set key=value ...]\n"
        + "  keys: " + ConfigLoader.knownKeys() + ", kafka.* (Kafka Streams settings)\n"
        + "  environment: CRANE_STREAM_<KEY> with dots as underscores, e.g. CRANE_STREAM_SNAPSHOT_INTERVAL_MS");
    System.exit(error == null ? 0 : 2);
  }
}
