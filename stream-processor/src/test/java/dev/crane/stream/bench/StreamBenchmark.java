package dev.crane.stream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.schemas.serde.AvroSerializer;
import dev.crane.stream.StreamProcessorApp;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.config.StreamsProperties;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sustained EOS throughput on the embedded broker (docs/benchmarks.md has the command and the
 * figures). Per scenario: a backlog of N interactions is produced first, then the application is
 * started and timed from 10 % to 90 % of the input consumed; then a live phase at a fixed rate
 * measures event-to-profile-update latency per event (send time to the first committed profile
 * update whose degree includes it). Both run in this one JVM with the broker, on this machine's
 * cores.
 */
@Tag("benchmark")
class StreamBenchmark {
  static final Path OUT = Path.of(System.getProperty("bench.out", "../docs/bench/stream.json"));
  /**
   * Each timed run after an untimed one of the same topology over the same backlog (its own
   * application id): the figures are then those of a JIT-compiled service, not of its first seconds,
   * during which C2 took most of the second core (seen with top). The cold figures are kept as *_cold.
   */
  static final boolean WARMUP = Boolean.parseBoolean(System.getProperty("bench.warmup", "true"));

  /** JUnit deletes it afterwards: each run leaves several GB of broker logs and RocksDB state. */
  @TempDir Path root;

  @Test
  void run() throws Exception {
    ObjectNode report = new ObjectMapper().createObjectNode();
    report.put("machine", Runtime.getRuntime().availableProcessors() + " cores, JVM max heap "
        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    report.put("date", Instant.now().toString());
    report.put("command", "mvn -B -pl stream-processor test -Dtest=StreamBenchmark -Dstream.excludedGroups=none"
        + " (options: docs/benchmarks.md)");
    int eventsA = Integer.getInteger("bench.events.a", 1_000_000);
    // (b) as long as (a): its window must hold several profile emit intervals (5 s), or their cost falls
    // outside it (200,000 events took 4 s: a window without one emission, 52,000 events/s instead of 21,700).
    int eventsB = Integer.getInteger("bench.events.b", 1_000_000);
    // "cuts" is asked for alone (-Dbench.only=cuts), so that it starts as cold as "a" does in its own JVM.
    String only = System.getProperty("bench.only", "count,a,b");
    if (only.contains("count") || only.contains("a") || only.contains("cuts")) {
    try (EmbeddedRuntime rt = EmbeddedRuntime.start(root.resolve("rt-a"), 2)) {
      Scenario a = new Scenario("a", 9308, 6710, "image:128,audio:128", eventsA);
      a.produce(rt);
      double countRate = Double.NaN;
      if (only.contains("count")) {
        coldRun(report, "count_events_per_s_cold", () -> runCount(rt, root, a, "-warmup"));
        ObjectNode count = runCount(rt, root, a, "");
        report.set("count", count);
        countRate = count.get("events_per_s").asDouble();
        report.put("count_events_per_s", countRate);
      }
      if (only.contains("a")) {
      if (coldRun(report, "events_per_s_256d_cold", () -> runCrane(rt, root, a, 0, Map.of(), "-warmup"))) {
        report.put("ratio_256d_to_count_cold", report.get("events_per_s_256d_cold").asDouble()
            / report.path("count_events_per_s_cold").asDouble(Double.NaN));
      }
      ObjectNode ra = runCrane(rt, root, a, Integer.getInteger("bench.latency.rate.a", 10_000));
      report.set("tiktok_256d", ra);
      report.put("events_per_s_256d", ra.get("events_per_s").asDouble());
      report.put("p99_latency_ms_256d", ra.get("latency_p99_ms").asDouble());
      report.put("ratio_256d_to_count", ra.get("events_per_s").asDouble() / countRate);
      }
      if (only.contains("cuts")) {
        // Scenario a with a snapshot cut every 100k accepted events: what cuts cost the input. No
        // latency phase: its fresh users would be those of a run before it on this broker.
        Map<String, String> cutEvery = Map.of("snapshot.every.interactions", System.getProperty("bench.cut.every", "100000"));
        coldRun(report, "events_per_s_256d_cuts_cold", () -> runCrane(rt, root, a, 0, cutEvery, "-warmup"));
        ObjectNode rc = runCrane(rt, root, a, 0, cutEvery, "");
        report.set("tiktok_256d_cuts", rc);
        report.put("events_per_s_256d_cuts", rc.get("events_per_s").asDouble());
        for (String k : List.of("cuts", "cut_part_seconds_max", "cut_part_seconds_mean", "snapshot_seconds_max",
            "checkpoint_bytes_per_cut")) {
          report.put(k + "_256d", rc.get(k).asDouble());
        }
      }
    }
    }
    if (only.contains("b")) {
    try (EmbeddedRuntime rt = EmbeddedRuntime.start(root.resolve("rt-b"), 2)) {
      Scenario b = new Scenario("b", 19445, 7050, "visual:4096,text:384", eventsB);
      b.produce(rt);
      coldRun(report, "events_per_s_4480d_cold", () -> runCrane(rt, root, b, 0, Map.of(), "-warmup"));
      ObjectNode rb = runCrane(rt, root, b, Integer.getInteger("bench.latency.rate.b", 2_000));
      report.set("amazon_4480d", rb);
      report.put("events_per_s_4480d", rb.get("events_per_s").asDouble());
      report.put("p99_latency_ms_4480d", rb.get("latency_p99_ms").asDouble());
    }
    }
    Files.createDirectories(OUT.toAbsolutePath().getParent());
    Files.writeString(OUT, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
    System.out.println("BENCHMARK RESULT " + OUT.toAbsolutePath() + "\n" + report.toPrettyString());
  }

  /**
   * The untimed run before a timed one, when {@link #WARMUP}: its events/s goes into the report as
   * {@code key}. @return whether it ran
   */
  private static boolean coldRun(ObjectNode report, String key, java.util.concurrent.Callable<ObjectNode> run)
      throws Exception {
    if (WARMUP) {
      report.put(key, run.call().get("events_per_s").asDouble());
    }
    return WARMUP;
  }

  /** A synthetic dataset of the given shape, replayed with fresh event ids until N events. */
  static final class Scenario {
    final String name;
    final String modalities;
    final int events;
    final MmrecDataset data;
    final List<String> itemIds = new ArrayList<>();

    Scenario(String name, int users, int items, String modalities, int events) {
      this.name = name;
      this.modalities = modalities;
      this.events = events;
      this.data = SyntheticGenerator.generate(SyntheticConfig.defaults(users, items,
          Modality.parseList(modalities), 42)).dataset();
    }

    void produce(EmbeddedRuntime rt) {
      AvroSerializer<SpecificRecord> ser = new AvroSerializer<>();
      ser.configure(Map.of("schema.registry.url", rt.schemaRegistryUrl()), false);
      try (KafkaProducer<byte[], byte[]> p = producer(rt)) {
        for (int i = 0; i < data.numItems(); i++) {
          List<FloatVector> vs = new ArrayList<>();
          for (FeatureMatrix f : data.features()) {
            vs.add(Vectors.floatVector(f.modality(), f.data(), i * f.dim(), f.dim()));
          }
          String id = "i" + i;
          itemIds.add(id);
          p.send(new ProducerRecord<>(Topics.ITEMS, id.getBytes(), ser.serialize(Topics.ITEMS,
              new ItemFeatures(id, vs, Instant.EPOCH))));
        }
        InteractionTable t = data.interactions();
        int[] order = t.publishOrder();
        for (int k = 0; k < events; k++) {
          int row = order[k % order.length];
          Interaction in = Interaction.newBuilder().setEventId("p" + (k / order.length) + ":" + row)
              .setUserId("u" + t.users()[row]).setItemId("i" + t.items()[row])
              .setEventTime(Instant.ofEpochMilli(t.timestamps()[row] * 1000)).setWeight(null).setType(null)
              .setSplit(Split.valueOf(t.splits()[row].name())).build();
          p.send(new ProducerRecord<>(Topics.INTERACTIONS, in.getUserId().toString().getBytes(),
              ser.serialize(Topics.INTERACTIONS, in)));
        }
        p.flush();
      }
    }
  }

  static KafkaProducer<byte[], byte[]> producer(EmbeddedRuntime rt) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.bootstrapServers(),
        ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
        ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  static Map<String, String> settings(EmbeddedRuntime rt, Path root, String app, String modalities) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("application.id", app);
    s.put("bootstrap.servers", rt.bootstrapServers());
    s.put("schema.registry.url", rt.schemaRegistryUrl());
    s.put("state.dir", root.resolve(app + "-state").toString());
    s.put("snapshot.dir", root.resolve(app + "-snapshots").toString());
    s.put("modalities", modalities);
    s.put("metrics.port", "-1");
    // Snapshots on (the interaction log is written per event) but none falls inside the run.
    s.put("snapshot.interval.ms", "3600000");
    for (String k : System.getProperties().stringPropertyNames()) {
      if (k.startsWith("bench.set.")) {
        s.put(k.substring("bench.set.".length()), System.getProperty(k));
      }
    }
    return s;
  }

  static ObjectNode runCount(EmbeddedRuntime rt, Path root, Scenario sc, String suffix) throws Exception {
    String app = "bench-count-" + sc.name + suffix;
    StreamConfig c = ConfigLoader.fromMap(settings(rt, root, app, sc.modalities));
    Properties props = StreamsProperties.of(c);
    try (KafkaStreams streams = new KafkaStreams(CountTopology.build(), props)) {
      streams.start();
      // The count topology has one source: every record the thread processed is an interaction.
      ObjectNode r = timeBacklog(rt, () -> sum(streams, n -> n.group().equals("stream-thread-metrics")
          && n.name().equals("process-total")), app, sc.events);
      r.set("stream_thread", threadProfile(streams));
      r.put("changelog_bytes", changelogBytes(streams));
      streams.close(Duration.ofSeconds(30));
      r.put("rocksdb_bytes", dirSize(c.stateDir()));
      return r;
    }
  }

  static ObjectNode runCrane(EmbeddedRuntime rt, Path root, Scenario sc, int latencyRate) throws Exception {
    return runCrane(rt, root, sc, latencyRate, Map.of(), "");
  }

  /**
   * @param extra settings over the benchmark's; with snapshot.every.interactions the cuts are reported
   * @param suffix of the application id (a warm-up run's own state and consumer group)
   */
  static ObjectNode runCrane(EmbeddedRuntime rt, Path root, Scenario sc, int latencyRate, Map<String, String> extra,
      String suffix) throws Exception {
    String app = "bench-crane-" + sc.name + (extra.isEmpty() ? "" : "-" + Integer.toHexString(extra.hashCode()))
        + suffix;
    Map<String, String> settings = settings(rt, root, app, sc.modalities);
    settings.putAll(extra);
    StreamConfig c = ConfigLoader.fromMap(settings);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (StreamProcessorApp crane = StreamProcessorApp.start(c, meters, false)) {
      // Accepted interactions (the backlog has no bad records): other topics' records do not count.
      ObjectNode r = timeBacklog(rt, () -> crane.metrics().acceptedCount(), app, sc.events);
      r.set("stream_thread", threadProfile(crane.streams()));
      r.put("changelog_bytes", changelogBytes(crane.streams()));
      r.put("changelog_bytes_per_event", changelogBytes(crane.streams()) / sc.events);
      r.put("output_bytes_user_profiles", topicBytes(crane.streams(), Topics.USER_PROFILES));
      if (c.snapshotEveryInteractions() > 0) {
        cuts(meters, crane.streams(), c.inputPartitions(), r);
      }
      if (latencyRate > 0) {
        latency(rt, sc, latencyRate, r);
      }
      r.put("settings", c.describe());
      crane.close();
      r.put("rocksdb_bytes", dirSize(c.stateDir()));
      System.gc(); // the next run starts without this one's garbage (1 GB of cached 36 KB profiles in (b))
      return r;
    }
  }

  /**
   * The cuts of the backlog, once their snapshots are published: their number, the tasks' part of
   * each (the stream thread's stall), request to manifest, the checkpoint's changelog bytes.
   */
  static void cuts(SimpleMeterRegistry meters, KafkaStreams streams, int partitions, ObjectNode r)
      throws InterruptedException {
    Timer parts = meters.get("crane_stream_cut_part_seconds").timer();
    Timer snapshots = meters.get("crane_stream_snapshot_seconds").timer();
    long deadline = System.nanoTime() + 120_000_000_000L; // the cuts' snapshots are assembled off the stream thread
    while (snapshots.count() < parts.count() / partitions && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    r.put("cuts", snapshots.count());
    r.put("cut_parts", parts.count());
    r.put("cut_part_seconds_max", parts.max(TimeUnit.SECONDS));
    r.put("cut_part_seconds_mean", parts.mean(TimeUnit.SECONDS));
    r.put("snapshot_seconds_max", snapshots.max(TimeUnit.SECONDS));
    long checkpointBytes = (long) sum(streams, n -> n.group().equals("producer-topic-metrics")
        && n.name().equals("byte-total") && n.tags().getOrDefault("topic", "").endsWith("-profile-checkpoint-changelog"));
    r.put("checkpoint_bytes", checkpointBytes);
    r.put("checkpoint_bytes_per_cut", snapshots.count() == 0 ? Double.NaN : (double) checkpointBytes / snapshots.count());
  }

  static long gcMillis() {
    long t = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
  }

  /** The machine's 1-minute load average: other work on the same cores skews every figure. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * Times the application through a backlog: from 10 % to 90 % of the input processed, sampled
   * every 10 ms (committed offsets move only once per commit interval, too coarse for the faster
   * runs; consumed records run ahead of processing by up to input.buffer.max.bytes), then waits
   * until everything is committed.
   */
  static ObjectNode timeBacklog(EmbeddedRuntime rt, java.util.function.DoubleSupplier processed, String app,
      long events) throws Exception {
    String loadBefore = loadAverage();
    long gcBefore = gcMillis();
    long start = System.nanoTime();
    long t10 = 0;
    long t90 = 0;
    while (t90 == 0) {
      double consumed = processed.getAsDouble();
      long now = System.nanoTime();
      if (t10 == 0 && consumed >= events / 10.0) {
        t10 = now;
      }
      if (consumed >= events * 0.9) {
        t90 = now;
      }
      if (now - start > Duration.ofMinutes(15).toNanos()) {
        throw new IllegalStateException(app + " did not finish: " + consumed + " of " + events);
      }
      Thread.sleep(10);
    }
    long gcAt90 = gcMillis();
    try (Admin admin = rt.admin()) {
      while (true) {
        long committed = admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get().entrySet()
            .stream().filter(e -> e.getKey().topic().equals(Topics.INTERACTIONS) && e.getValue() != null)
            .mapToLong(e -> e.getValue().offset()).sum();
        if (committed >= events) {
          break;
        }
        if (System.nanoTime() - start > Duration.ofMinutes(15).toNanos()) {
          throw new IllegalStateException(app + " did not commit everything: " + committed + " of " + events);
        }
        Thread.sleep(50);
      }
    }
    long end = System.nanoTime();
    ObjectNode r = new ObjectMapper().createObjectNode();
    r.put("events", events);
    r.put("events_per_s", Math.round(0.8 * events / ((t90 - t10) / 1e9)));
    r.put("timed_window_s", (t90 - t10) / 1e9);
    r.put("total_s_including_startup", (end - start) / 1e9);
    r.put("gc_ms_until_90_percent", gcAt90 - gcBefore);
    r.put("loadavg_before", loadBefore);
    r.put("loadavg_after", loadAverage());
    return r;
  }

  /**
   * Live phase: fresh users (so their degree counts only these events), events at a fixed rate;
   * the latency of event k of user u is from its send to the first committed profile update of u
   * with degree at least k.
   */
  static void latency(EmbeddedRuntime rt, Scenario sc, int rate, ObjectNode r) throws Exception {
    int users = 2000;
    int seconds = Integer.getInteger("bench.latency.seconds", 15);
    int total = rate * seconds;
    long[][] sent = new long[users][total / users + 2];
    int[] perUser = new int[users];
    Map<String, Integer> covered = new ConcurrentHashMap<>();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger seen = new AtomicInteger();
    AvroDeserializer<UserProfile> pd = new AvroDeserializer<>(UserProfile.class);
    pd.configure(Map.of("schema.registry.url", rt.schemaRegistryUrl()), false);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, rt.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20), new StringDeserializer(),
        new ByteArrayDeserializer());
    List<TopicPartition> tps = consumer.partitionsFor(Topics.USER_PROFILES).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(tps);
    consumer.seekToEnd(tps);
    tps.forEach(consumer::position);
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        for (var rec : consumer.poll(Duration.ofMillis(50))) {
          if (rec.key() == null || !rec.key().startsWith("lat-")) {
            continue;
          }
          long now = System.nanoTime();
          int u = Integer.parseInt(rec.key().substring(4));
          long degree = pd.deserialize(Topics.USER_PROFILES, rec.value()).getDegree();
          int from = covered.getOrDefault(rec.key(), 0);
          for (int k = from; k < degree; k++) {
            long s = sent[u][k];
            if (s != 0) {
              latencies.add(now - s);
              seen.incrementAndGet();
            }
          }
          covered.put(rec.key(), (int) Math.max(from, degree));
        }
      }
    }, "latency-reader");
    reader.start();
    AvroSerializer<SpecificRecord> ser = new AvroSerializer<>();
    ser.configure(Map.of("schema.registry.url", rt.schemaRegistryUrl()), false);
    try (KafkaProducer<byte[], byte[]> p = producer(rt)) {
      long t0 = System.nanoTime();
      for (int k = 0; k < total; k++) {
        long due = t0 + (long) (k * 1e9 / rate);
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        int u = k % users;
        String user = "lat-" + u;
        Interaction in = Interaction.newBuilder().setEventId("lat:" + k).setUserId(user)
            .setItemId(sc.itemIds.get((k * 31) % sc.itemIds.size())).setEventTime(Instant.now())
            .setWeight(null).setType(null).setSplit(null).build();
        byte[] v = ser.serialize(Topics.INTERACTIONS, in);
        sent[u][perUser[u]++] = System.nanoTime();
        p.send(new ProducerRecord<>(Topics.INTERACTIONS, user.getBytes(), v));
      }
      p.flush();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (seen.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    stop.set(true);
    reader.join();
    consumer.close();
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    r.put("latency_rate_events_per_s", rate);
    r.put("latency_events", total);
    r.put("latency_events_observed", l.length);
    if (l.length > 0) {
      r.put("latency_p50_ms", l[l.length / 2] / 1e6);
      r.put("latency_p99_ms", l[(int) Math.min(l.length - 1, Math.ceil(l.length * 0.99) - 1)] / 1e6);
      r.put("latency_max_ms", l[l.length - 1] / 1e6);
    } else {
      r.put("latency_p99_ms", Double.NaN);
    }
  }

  /** Where the stream thread's time went (Kafka Streams' own thread metrics), and per-store changelog bytes. */
  static ObjectNode threadProfile(KafkaStreams streams) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    for (String m : List.of("process-ratio", "punctuate-ratio", "poll-ratio", "commit-ratio", "commit-latency-avg",
        "commit-latency-max", "commit-rate", "process-latency-avg", "punctuate-latency-avg", "poll-latency-avg",
        "blocked-time-ns-total", "thread-start-time")) {
      o.put(m, sum(streams, n -> n.group().equals("stream-thread-metrics") && n.name().equals(m)));
    }
    ObjectNode perTopic = o.putObject("bytes_by_topic");
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName n = e.getKey();
      if (n.group().equals("producer-topic-metrics") && n.name().equals("byte-total")
          && e.getValue().metricValue() instanceof Number v) {
        perTopic.put(n.tags().get("topic"), perTopic.path(n.tags().get("topic")).asDouble(0) + v.doubleValue());
      }
    }
    return o;
  }

  /** Bytes the application's producer sent to its changelog topics (compressed batches). */
  static long changelogBytes(KafkaStreams streams) {
    return (long) sum(streams, n -> n.group().equals("producer-topic-metrics") && n.name().equals("byte-total")
        && n.tags().getOrDefault("topic", "").endsWith("-changelog"));
  }

  static long topicBytes(KafkaStreams streams, String topic) {
    return (long) sum(streams, n -> n.group().equals("producer-topic-metrics") && n.name().equals("byte-total")
        && topic.equals(n.tags().get("topic")));
  }

  static double sum(KafkaStreams streams, java.util.function.Predicate<MetricName> p) {
    double t = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      if (p.test(e.getKey()) && e.getValue().metricValue() instanceof Number n) {
        t += n.doubleValue();
      }
    }
    return t;
  }

  static long dirSize(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
