package dev.crane.standalone.bench;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ingest.dataset.ModalityDim;
import dev.crane.ingest.dataset.Split;
import dev.crane.ingest.publish.DatasetPublisher;
import dev.crane.ingest.publish.ProducerFactory;
import dev.crane.ops.bench.Machine;
import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.standalone.Await;
import dev.crane.stream.StreamProcessorApp;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.engine.NativeAllocator;
import dev.crane.trainer.publish.ManifestLog;
import dev.crane.trainer.service.ServiceConfig;
import dev.crane.trainer.service.TrainerService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Issue #14's retrain benchmark: TikTok replayed through the real path (ingest, the stream processor,
 * its snapshots, the trainer service). Snapshot 1 holds the first 95 % of the training interactions
 * in file order (and every validation and test row), snapshot 2 the rest as well. Per model: version
 * 1 is trained from scratch on snapshot 1 and published; then on snapshot 2, (a) a training from
 * scratch (not published) and (b) the service itself, which finds snapshot 2 on its topic, fine-tunes
 * the accepted version 1 within a budget of {@code --budget} times (a)'s time, gates and publishes.
 * Test Recall@20 of both on TikTok's test split, their wall times, and the time from the service
 * picking snapshot 2 up to its version being complete on model-versions. Prints a table and writes
 * docs/bench/retrain.json.
 *
 * <p>Args: {@code [--data DIR] [--models lightgcn,crane] [--budget 0.25] [--out FILE]}.
 */
public final class RetrainBenchmark {
  public static final String COMMAND = "mvn -B -q -DskipTests install && java -Xmx8g -cp standalone/target/standalone.jar "
      + "dev.crane.standalone.bench.RetrainBenchmark --data ../shared/data/tiktok --models lightgcn,crane";

  public static void main(String[] args) throws Exception {
    OptionalInt child = NativeAllocator.relaunch(RetrainBenchmark.class, args); // the trainer's tuned malloc
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    Devices.ensureOffline();
    Map<String, String> opts = new HashMap<>(Map.of("--data", "../shared/data/tiktok", "--models", "lightgcn,crane",
        "--budget", "0.25", "--out", "docs/bench/retrain.json"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!opts.containsKey(args[i])) {
        System.err.println("error: unknown option " + args[i] + "; known: " + opts.keySet());
        System.exit(2);
      }
      opts.put(args[i], args[i + 1]);
    }
    Path data = Path.of(opts.get("--data"));
    if (!Files.isDirectory(data)) {
      System.err.println("error: no dataset at " + data + " (--data DIR)");
      System.exit(2);
    }
    double budget = Double.parseDouble(opts.get("--budget"));
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("machine", Machine.describe());
    MmrecDataset ds = MmrecReader.read(data);
    Path work = Files.createTempDirectory("crane-retrain-bench-");
    try (EmbeddedRuntime runtime = EmbeddedRuntime.start(work.resolve("runtime"), 3)) {
      Path[] snapshots = snapshots(runtime, ds, work, figures);
      for (String model : opts.get("--models").split(",")) {
        measure(model.strip(), runtime, snapshots, work, budget, figures);
      }
    }
    figures.put("load_average_end", Machine.loadAverage());
    BenchFile.write(Path.of(opts.get("--out")), COMMAND, figures);
    System.out.println("wrote " + opts.get("--out"));
  }

  /** The two snapshots, cut by the real stream processor after each wave has been consumed. */
  private static Path[] snapshots(EmbeddedRuntime runtime, MmrecDataset ds, Path work, Map<String, Object> figures)
      throws InterruptedException {
    Split[] splits = ds.interactions().splits();
    List<Integer> train = new ArrayList<>();
    List<Integer> first = new ArrayList<>();
    for (int r = 0; r < splits.length; r++) {
      if (splits[r] == Split.TRAIN) {
        train.add(r);
      } else {
        first.add(r);
      }
    }
    int cut = (int) Math.round(train.size() * 0.95);
    first.addAll(train.subList(0, cut));
    int[] wave1 = first.stream().mapToInt(Integer::intValue).sorted().toArray();
    int[] wave2 = train.subList(cut, train.size()).stream().mapToInt(Integer::intValue).toArray();
    figures.put("train_interactions_first_snapshot", cut);
    figures.put("train_interactions_second_snapshot", train.size());
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", runtime.bootstrapServers());
    s.put("schema.registry.url", runtime.schemaRegistryUrl());
    s.put("state.dir", work.resolve("stream").toString());
    s.put("snapshot.dir", work.resolve("snapshots").toString());
    s.put("modalities", ModalityDim.format(ds.modalities()));
    s.put("snapshot.interval.ms", Long.toString(Duration.ofDays(1).toMillis()));
    s.put("metrics.port", "-1");
    Path[] out = new Path[2];
    try (StreamProcessorApp processor = StreamProcessorApp.start(ConfigLoader.fromMap(s), new SimpleMeterRegistry(), false)) {
      int[][] waves = {wave1, wave2};
      for (int w = 0; w < 2; w++) {
        try (var producer = ProducerFactory.create(runtime.bootstrapServers(), runtime.schemaRegistryUrl(), Map.of())) {
          new DatasetPublisher(producer, DatasetPublisher.Options.defaults()).publish(ds, waves[w], Map.of(), new int[0]);
        }
        Await.until("the stream processor to consume wave " + (w + 1), Duration.ofMinutes(5), processor::caughtUp);
        processor.requestSnapshot();
        long version = w + 1;
        Await.until("snapshot v" + version, Duration.ofMinutes(5), () -> snapshot(runtime, version).isPresent());
        out[w] = Path.of(snapshot(runtime, version).orElseThrow().getPath());
        System.out.printf("snapshot v%d: %s%n", version, out[w]);
      }
    }
    return out;
  }

  private static void measure(String model, EmbeddedRuntime runtime, Path[] snapshots, Path work, double budget,
      Map<String, Object> figures) throws Exception {
    Map<String, String> c = new HashMap<>();
    c.put("bootstrap.servers", runtime.bootstrapServers());
    c.put("schema.registry.url", runtime.schemaRegistryUrl());
    c.put("state.dir", work.resolve("trainer-" + model).toString());
    c.put("group.id", "crane-trainer-" + model);
    c.put("transactional.id", "crane-trainer-" + model);
    c.put("model", model);
    c.put("hyperparameters", "tiktok");
    c.put("metrics.port", "-1");
    String p = model.replace('-', '_') + "_";
    // version 1 from scratch on snapshot 1, published: the model the fine-tune starts from
    try (TrainerService s = TrainerService.start(ServiceConfig.of(c), new SimpleMeterRegistry(), TrainerService.Hooks.NONE)) {
      TrainerService.Report v1 = s.retrain(snapshots[0], true, () -> false);
      figures.put(p + "first_recall20", v1.candidate().test().get("recall@20"));
      figures.put(p + "first_seconds", v1.took().toMillis() / 1e3);
    }
    // (a) from scratch on snapshot 2, not published
    double fullSeconds;
    try (TrainerService s = TrainerService.start(ServiceConfig.of(c), new SimpleMeterRegistry(), TrainerService.Hooks.NONE)) {
      TrainerService.Report full = s.retrain(snapshots[1], false, () -> false);
      fullSeconds = full.took().toMillis() / 1e3;
      figures.put(p + "full_recall20", full.candidate().test().get("recall@20"));
      figures.put(p + "full_ndcg20", full.candidate().test().get("ndcg@20"));
      figures.put(p + "full_seconds", fullSeconds);
      figures.put(p + "full_epochs", full.candidate().result().history().size());
    }
    // (b) the service: skips snapshot 1 (its version is out), fine-tunes on snapshot 2 within the budget
    c.put("finetune.max.seconds", String.format(Locale.ROOT, "%.1f", budget * fullSeconds));
    c.put("finetune.epochs", "1000");
    AtomicBoolean stop = new AtomicBoolean();
    long t0 = System.nanoTime();
    ModelVersion v2;
    try (TrainerService s = TrainerService.start(ServiceConfig.of(c), new SimpleMeterRegistry(), TrainerService.Hooks.NONE)) {
      Thread t = new Thread(() -> s.run(stop::get), "trainer-" + model);
      t.start();
      Await.until(model + " on snapshot v2", Duration.ofHours(2), () -> secondVersion(runtime, model).isPresent());
      stop.set(true);
      t.join();
      v2 = secondVersion(runtime, model).orElseThrow();
    }
    double toPublished = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> m = v2.getMetrics();
    double fullRecall = (double) figures.get(p + "full_recall20");
    figures.put(p + "finetune_recall20", m.get("test_recall@20"));
    figures.put(p + "finetune_ndcg20", m.get("test_ndcg@20"));
    figures.put(p + "finetune_seconds", m.get("train_seconds"));
    figures.put(p + "finetune_epochs", m.get("epochs"));
    figures.put(p + "finetune_published", v2.getStatus() == ModelStatus.COMPLETE);
    figures.put(p + "finetune_budget_seconds", budget * fullSeconds);
    figures.put(p + "snapshot_to_published_seconds", toPublished);
    figures.put(p + "finetune_recall_ratio", m.get("test_recall@20") / fullRecall);
    figures.put(p + "finetune_time_ratio", m.get("train_seconds") / fullSeconds);
    figures.put(p + "target_met", m.get("test_recall@20") >= 0.99 * fullRecall && m.get("train_seconds") <= 0.25 * fullSeconds);
    System.out.printf(Locale.ROOT, "%-9s full: test R@20 %.4f in %.0f s | fine-tune: %.4f in %.0f s (%.1f %%, %.0f %% of the "
        + "time) | snapshot to published %.0f s (%s)%n", model, fullRecall, fullSeconds, m.get("test_recall@20"),
        m.get("train_seconds"), 100 * m.get("test_recall@20") / fullRecall, 100 * m.get("train_seconds") / fullSeconds,
        toPublished, v2.getStatus());
  }

  /** This model's version trained on snapshot 2 (published or rejected). */
  private static Optional<ModelVersion> secondVersion(EmbeddedRuntime runtime, String model) {
    return ManifestLog.read(runtime.bootstrapServers(), runtime.schemaRegistryUrl(), Duration.ofSeconds(30)).all()
        .stream().filter(v -> v.getModel().equals(model) && Long.valueOf(2).equals(v.getSnapshotVersion())).findFirst();
  }

  private static Optional<SnapshotManifest> snapshot(EmbeddedRuntime runtime, long version) {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroDeserializer<SnapshotManifest> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl(), "specific.avro.reader", true), false);
    TopicPartition tp = new TopicPartition(Topics.SNAPSHOTS, 0);
    try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null && r.value().getVersion() == version) {
            return Optional.of(r.value());
          }
        }
      }
    }
    return Optional.empty();
  }
}
