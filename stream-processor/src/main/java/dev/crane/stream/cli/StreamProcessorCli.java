package dev.crane.stream.cli;

import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.cli.VerboseOption;
import dev.crane.ops.connect.Reachability;
import dev.crane.stream.StreamProcessorApp;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.StreamConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stream-processor [--config FILE] [--set key=value ...]}: checks that the broker and the
 * registry answer, starts the application and runs until SIGTERM / Ctrl+C, then closes it
 * gracefully (commit, leave the group).
 */
@Command(name = "stream-processor", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Kafka Streams application: exactly-once user profiles (paper Eq. 5), degrees, dead letters "
        + "and snapshots for the trainer. Runs until stopped (SIGTERM or Ctrl+C).",
    footer = {"", "Settings, later ones winning: built-in defaults, --config FILE, environment CRANE_STREAM_<KEY>"
        + " (dots and hyphens as underscores, e.g. CRANE_STREAM_SNAPSHOT_INTERVAL_MS), --set key=value."
        + " Unknown keys are errors; kafka.* keys go to Kafka Streams. See stream-processor/README.md."})
public final class StreamProcessorCli implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorCli.class);

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting (repeatable); wins over the file and the environment.")
  List<String> sets = List.of();

  @Mixin VerboseOption verbose;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String kv : sets) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got '" + kv + "'");
      }
      overrides.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }
    StreamConfig c = ConfigLoader.load(config, System.getenv(), overrides);
    Reachability.kafka(c.bootstrapServers(), c.connectTimeout(),
        "bootstrap.servers (--set bootstrap.servers=HOST:PORT or CRANE_STREAM_BOOTSTRAP_SERVERS)");
    Reachability.registry(c.schemaRegistryUrl(), c.connectTimeout(),
        "schema.registry.url (--set schema.registry.url=URL or CRANE_STREAM_SCHEMA_REGISTRY_URL)");
    StreamProcessorApp app = StreamProcessorApp.start(c, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
    LOG.info("stream processor running (application.id {}, metrics on port {}); Ctrl+C or SIGTERM stops it",
        c.applicationId(), app.metricsPort());
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      app.close();
      closed.countDown();
    }, "stream-processor-shutdown"));
    closed.await();
    return 0;
  }

  public static void main(String[] args) {
    var cl = CliRunner.commandLine(new StreamProcessorCli());
    var usage = cl.getCommandSpec().usageMessage();
    List<String> footer = new java.util.ArrayList<>(List.of(usage.footer()));
    footer.add("Keys:");
    StringBuilder line = new StringBuilder(" ");
    for (String key : ConfigLoader.knownKeys()) { // whole keys per line: picocli would break them at dots
      if (line.length() + key.length() > 76) {
        footer.add(line.toString());
        line = new StringBuilder(" ");
      }
      line.append(' ').append(key);
    }
    footer.add(line.toString());
    usage.footer(footer.toArray(String[]::new));
    System.exit(CliRunner.execute(cl, args));
  }
}
