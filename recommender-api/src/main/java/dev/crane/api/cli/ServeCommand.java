package dev.crane.api.cli;

import dev.crane.api.app.RecommenderApi;
import dev.crane.api.config.ApiConfig;
import dev.crane.api.config.ConfigLoader;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.ops.connect.Reachability;
import dev.crane.ops.metrics.MetricsServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the service until SIGTERM / Ctrl+C, then shuts down gracefully: health goes NOT_SERVING,
 * calls in flight finish (within shutdown.grace.ms), the feeds stop, the store is flushed.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve recommendations (gRPC) from the model versions on the embedding topics.",
    footer = {"", "Settings, later ones winning: built-in defaults, --config FILE, environment CRANE_API_<KEY>"
        + " (dots and hyphens as underscores, e.g. CRANE_API_GRPC_PORT), --set key=value. Unknown keys are errors;"
        + " kafka.* keys go to the consumers. Keys:"})
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A setting (repeatable); wins over the file and the environment.")
  List<String> sets = List.of();

  @Override
  public Integer call() throws InterruptedException {
    ApiConfig c = ConfigLoader.load(config, System.getenv(), sets);
    Reachability.kafka(c.bootstrapServers(), c.connectTimeout(),
        "bootstrap.servers (--set bootstrap.servers=HOST:PORT or CRANE_API_BOOTSTRAP_SERVERS)");
    Reachability.registry(c.schemaRegistryUrl(), c.connectTimeout(),
        "schema.registry.url (--set schema.registry.url=URL or CRANE_API_SCHEMA_REGISTRY_URL)");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    RecommenderApi api = RecommenderApi.start(c, new ApiMetrics(registry));
    MetricsServer metrics = null;
    if (c.metricsPort() >= 0) {
      try {
        metrics = new MetricsServer(c.metricsPort(), registry, api::healthy);
      } catch (IOException e) {
        api.close();
        throw new UncheckedIOException("cannot serve metrics on port " + c.metricsPort() + ": " + e.getMessage(), e);
      }
    }
    LOG.info("recommender API running: gRPC on {}:{}, metrics {}; Ctrl+C or SIGTERM stops it", c.grpcHost(),
        api.grpcPort(), metrics == null ? "off" : "on port " + metrics.port() + " (/metrics, /health)");
    CountDownLatch closed = new CountDownLatch(1);
    MetricsServer m = metrics;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down: draining calls in flight");
      api.close();
      if (m != null) {
        m.close();
      }
      closed.countDown();
    }, "recommender-api-shutdown"));
    closed.await();
    return 0;
  }

  /** The footer's key list: each key with its default, its meaning on the next line (no wrapping mid-key). */
  static String[] keyLines() {
    return ConfigLoader.KEYS.stream()
        .flatMap(k -> java.util.stream.Stream.of(String.format("  %-25s default: %s", k.name(), k.defaultValue()),
            "      " + k.description()))
        .toArray(String[]::new);
  }
}
