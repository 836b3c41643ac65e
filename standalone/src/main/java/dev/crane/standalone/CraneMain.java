package dev.crane.standalone;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.DatasetException;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.ingest.publish.DatasetPublisher;
import dev.crane.ingest.publish.ProducerFactory;
import dev.crane.ingest.publish.PublishSummary;
import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.cli.VerboseOption;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded default: starts the in-process broker and the local schema registry (or checks the
 * user's own cluster), generates a synthetic dataset and publishes it; then the stream processor, the
 * trainer service and the recommender API run on it in this process, as {@link Walkthrough} shows step
 * by step; last, what landed on each topic.
 */
@Command(name = "crane", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the CRANE pipeline on the embedded default (in-process Kafka, local registry, synthetic data"
        + " or --data DIR), or on your own cluster (--bootstrap-servers): ingest, stream processor, trainer service,"
        + " recommender API.")
public final class CraneMain implements Callable<Integer> {
  @Option(names = "--data-dir", description = "Broker, registry and service state; default: a temporary directory removed at exit.")
  Path dataDir;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Run on this Kafka cluster instead of the embedded broker (with --schema-registry-url);"
          + " the topics are created when missing and must be empty.")
  String bootstrapServers;

  @Option(names = "--schema-registry-url", paramLabel = "URL",
      description = "The Confluent-compatible schema registry of that cluster, e.g."
          + " http://localhost:8081/apis/ccompat/v7 for Apicurio.")
  String schemaRegistryUrl;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic. Default: ${DEFAULT-VALUE}")
  int partitions;

  @Option(names = "--data", paramLabel = "DIR",
      description = "An MMRec-format dataset directory (<name>.inter, <modality>_feat.npy), e.g. ../shared/data/tiktok,"
          + " instead of synthetic data; replaces --users, --items and --modalities.")
  Path data;

  @Option(names = "--users", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}")
  int users;

  @Option(names = "--items", defaultValue = "500", description = "Default: ${DEFAULT-VALUE}")
  int items;

  @Option(names = "--modalities", defaultValue = "visual:256,text:64", description = "Default: ${DEFAULT-VALUE}")
  String modalities;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--model", defaultValue = "crane",
      description = "Model the trainer service trains: crane | crane-ref | freedom | lightgcn | bpr. Default: ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--epochs", defaultValue = "20",
      description = "Most epochs of the first training (early stopping may end it sooner). Default: ${DEFAULT-VALUE}")
  int epochs;

  @Option(names = "--keep-running", description = "Keep the broker and registry up until Ctrl+C.")
  boolean keepRunning;

  @CommandLine.Mixin VerboseOption verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** How long Ctrl+C waits for the broker, the registry and the temporary directory to go. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

  /** Counted down once the run has closed everything and removed its temporary directory. */
  private final CountDownLatch cleanedUp = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (data != null) {
      for (String synthetic : java.util.List.of("--users", "--items", "--modalities", "--seed")) {
        if (spec.commandLine().getParseResult().hasMatchedOption(synthetic)) {
          throw new IllegalArgumentException(synthetic + " describes synthetic data; --data " + data
              + " reads a dataset instead: give one or the other");
        }
      }
    }
    if ((bootstrapServers == null) != (schemaRegistryUrl == null)) {
      throw new IllegalArgumentException("--bootstrap-servers and --schema-registry-url go together: give both"
          + " to run on your own cluster, neither for the embedded one");
    }
    boolean external = bootstrapServers != null;
    if (external && keepRunning) {
      throw new IllegalArgumentException("--keep-running keeps the embedded broker and registry up; with"
          + " --bootstrap-servers there are none to keep");
    }
    // read before anything starts: a dataset that cannot be read is a one-line error
    MmrecDataset read = data != null ? readDataset(data) : null;
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("crane-embedded-") : dataDir;
    long t0 = System.nanoTime();
    // null when external: try-with-resources then closes nothing
    try (EmbeddedRuntime runtime = external ? null : EmbeddedRuntime.start(dir, partitions)) {
      Cluster cluster;
      if (external) {
        cluster = new Cluster(bootstrapServers, schemaRegistryUrl);
        List<String> created = ExternalCluster.prepare(cluster, partitions);
        out.printf("Using your cluster (checked in %.1f s; %d topics created, %d there already)%n",
            (System.nanoTime() - t0) / 1e9, created.size(), Topics.ALL.size() - created.size());
      } else {
        cluster = new Cluster(runtime.bootstrapServers(), runtime.schemaRegistryUrl());
        out.printf("Embedded runtime up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      }
      out.printf("  Kafka:           %s%n  schema registry: %s%n  %s %s%n", cluster.bootstrapServers(),
          cluster.schemaRegistryUrl(), external ? "state:          " : "data:           ", dir);

      MmrecDataset dataset;
      if (read != null) {
        dataset = read;
        out.printf("%nRead dataset %s: %,d users, %,d items, %,d interactions, modalities %s%n", data,
            dataset.numUsers(), dataset.numItems(), dataset.interactions().size(), dataset.modalities().stream()
                .map(m -> m.name() + ":" + m.dim()).collect(java.util.stream.Collectors.joining(",")));
      } else {
        var config = SyntheticConfig.defaults(users, items, Modality.parseList(modalities), seed);
        dataset = SyntheticGenerator.generate(config).dataset();
        out.printf("%nGenerated synthetic dataset: %,d users, %,d items, %,d interactions, modalities %s%n",
            dataset.numUsers(), dataset.numItems(), dataset.interactions().size(), modalities);
      }
      out.flush();

      PublishSummary summary;
      try (var producer = ProducerFactory.create(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), Map.of())) {
        summary = new DatasetPublisher(producer, new DatasetPublisher.Options(0, -1, true))
            .publish(dataset, dataset.interactions().publishOrder(), Map.of(), new int[0]);
      }
      out.printf("%nIngest:%n%s", summary.render());
      out.flush();

      Path state = dir.resolve("state");
      try (Pipeline pipeline = Pipeline.start(cluster, state, dataset.modalities(), model, epochs)) {
        new Walkthrough(out, pipeline, model, seen(dataset)).run();
      }

      out.printf("%nWhat landed on each topic:%n");
      var counts = TopicCounts.of(cluster.bootstrapServers(), Topics.ALL.stream().map(Topics.Spec::name).toList());
      out.print(TopicSamples.render(counts, cluster));
      out.printf("%nDone in %.1f s.%n", (System.nanoTime() - t0) / 1e9);
      out.flush();
      if (keepRunning) {
        out.println("Broker and registry keep running; Ctrl+C to stop.");
        out.flush();
        awaitCtrlC();
      }
    } finally {
      if (temporary) {
        deleteRecursively(dir);
      }
      cleanedUp.countDown();
    }
    return 0;
  }

  /**
   * The dataset, strict: a bad line or row is an error naming it (the ingest CLI's --skip-bad is for
   * real feeds), so nothing is skipped and there are no bad records to report.
   */
  private static MmrecDataset readDataset(Path dir) throws IOException {
    try {
      return MmrecReader.read(dir);
    } catch (DatasetException e) {
      throw new IllegalArgumentException("--data: " + e.getMessage(), e);
    }
  }

  /** Whether the dataset has user u with item i (its ids are the dense indices). */
  private static java.util.function.BiPredicate<String, String> seen(dev.crane.ingest.dataset.MmrecDataset ds) {
    java.util.Set<Long> pairs = new java.util.HashSet<>();
    var t = ds.interactions();
    for (int r = 0; r < t.size(); r++) {
      pairs.add((long) t.users()[r] << 32 | t.items()[r]);
    }
    return (u, i) -> pairs.contains(Long.parseLong(u) << 32 | Long.parseLong(i));
  }

  /**
   * Waits for Ctrl+C (SIGINT) or SIGTERM. The JVM is then shutting down and ends when its shutdown hooks
   * return, so the hook waits (a bounded time) for this run to close the broker and the registry and to
   * remove its temporary directory.
   */
  private void awaitCtrlC() throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        cleanedUp.await(SHUTDOWN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "crane-shutdown"));
    stop.await();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  public static void main(String[] args) {
    CliRunner.main(new CraneMain(), args);
  }
}
