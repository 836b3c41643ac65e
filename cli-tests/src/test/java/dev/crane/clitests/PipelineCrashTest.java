package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.ops.bench.Machine;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemEmbedding;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.ModelStatus;
import dev.crane.schemas.avro.ModelVersion;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.avro.UserEmbedding;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.schemas.serde.AvroSerializer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline under SIGKILL (issue #16, item 7). The stream processor, the trainer service and
 * the recommender API run from their jars as child JVMs against one in-process broker and a real
 * registry, on loopback. While live interactions flow and a client queries the API, a seeded loop
 * picks one of the three, SIGKILLs it at a random moment, starts it again on the same state and
 * waits until it has recovered. Afterwards every user's Eq. 5 sums and degree on
 * {@code user-profiles} must equal a from-scratch computation bitwise, the last snapshot must hold
 * every interaction sent exactly once, and every reply the API gave must come from a version whose
 * manifest is COMPLETE and whose records on the topics match its counts.
 *
 * <p>{@code -Dcrash.kills} (default 21), {@code -Dcrash.seed}; {@code -Dcrash.report=FILE} writes
 * the figures as flat JSON (docs/bench/e2e.json, see docs/benchmarks.md).
 */
class PipelineCrashTest {
  private static final int USERS = 200;
  private static final int ITEMS = 80;
  private static final String MODALITIES = "visual:16,text:8";
  private static final String APPLICATION_ID = "crane-stream";
  /** Live interactions per second while the roles are killed. */
  private static final int LIVE_RATE = 100;
  private static final Duration RECOVERY_BOUND = Duration.ofMinutes(3);

  @TempDir Path work;
  private EmbeddedRuntime runtime;
  private final Map<String, Object> figures = new LinkedHashMap<>();

  /** The from-scratch answer for one user: Eq. 5 sums in publish order and the counts. */
  private static final class Expected {
    final double[][] sums;
    long degree;

    Expected(List<FeatureMatrix> features) {
      sums = new double[features.size()][];
      for (int m = 0; m < sums.length; m++) {
        sums[m] = new double[features.get(m).dim()];
      }
    }
  }

  @Test
  void killedRolesRecoverAndNothingIsLostCountedTwiceOrServedIncomplete() throws Exception {
    int kills = Integer.getInteger("crash.kills", 21);
    long seed = Long.getLong("crash.seed", 16);
    figures.put("command", "mvn -B -ntp -pl cli-tests verify -Dtest=PipelineCrashTest -Dcrash.kills=" + kills
        + " -Dcrash.seed=" + seed + " -Dcrash.report=docs/bench/e2e.json");
    figures.put("date", Instant.now().toString());
    figures.put("machine", Machine.describe());
    figures.put("load_average", Machine.loadAverage());
    long t0 = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    MmrecDataset dataset = SyntheticGenerator.generate(
        SyntheticConfig.defaults(USERS, ITEMS, Modality.parseList(MODALITIES), seed)).dataset();
    Map<String, Expected> expected = new HashMap<>();
    Map<String, Integer> sent = new HashMap<>();
    runtime = EmbeddedRuntime.start(work.resolve("runtime"), 2);
    List<Role> roles = new ArrayList<>();
    try (KafkaProducer<String, SpecificRecord> producer = producer()) {
      publishDataset(producer, dataset, expected, sent);
      Role stream = role("stream-processor", Jar.STREAM_PROCESSOR, List.of("modalities=" + MODALITIES,
          "state.dir=" + work.resolve("stream-state"), "snapshot.dir=" + work.resolve("snapshots"),
          // Snapshots keep coming (so the trainer keeps fine-tuning and the kills land mid-cut too);
          // a short session lets a restarted instance take its partitions back within seconds.
          "snapshot.every.interactions=1000", "snapshot.interval.ms=3000",
          "kafka.session.timeout.ms=6000", "kafka.heartbeat.interval.ms=1500"));
      Role trainer = role("trainer", Jar.TRAINER, List.of("state.dir=" + work.resolve("trainer-state"),
          "model=lightgcn", "hyperparameters=tiktok", "full.epochs=4", "finetune.epochs=2", "retry.backoff.ms=1000"));
      int grpcPort = Role.freePort();
      Role api = role("recommender-api", Jar.RECOMMENDER_API, List.of("state.dir=" + work.resolve("api-state"),
          "grpc.host=127.0.0.1", "grpc.port=" + grpcPort));
      roles.addAll(List.of(stream, trainer, api));
      stream.start();
      trainer.start();
      await("model version 1", Duration.ofMinutes(4), () -> !manifests().isEmpty(), roles);
      api.start();
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
      await("the API to answer", Duration.ofMinutes(2), () -> answers(channel, "u0") != null, roles);

      // Live traffic and a client of the API, both running through every kill.
      AtomicBoolean running = new AtomicBoolean(true);
      List<Interaction> live = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicLong failedSends = new AtomicLong();
      Thread feeder = new Thread(() -> feed(producer, running, live, failedSends, seed), "live-interactions");
      Map<Long, Long> servedVersions = new ConcurrentHashMap<>();
      AtomicLong ok = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      Thread client = new Thread(() -> query(channel, running, servedVersions, ok, failed, seed),
          "api-client");
      feeder.start();
      client.start();

      Map<String, List<Double>> recoveries = new TreeMap<>();
      try {
        List<Role> round = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
          if (round.isEmpty()) { // each role once per round of three, in a random order
            round.addAll(roles);
            java.util.Collections.swap(round, 0, random.nextInt(3));
            java.util.Collections.swap(round, 1, 1 + random.nextInt(2));
          }
          Role victim = round.remove(0);
          Thread.sleep(1000 + random.nextInt(5000));
          long committedBefore = committed();
          long killedAt = System.nanoTime();
          victim.kill();
          victim.start();
          BooleanSupplier recovered = victim == stream
              ? () -> stream.healthy() && committed() > committedBefore
              : victim == api ? () -> api.healthy() && answers(channel, "u1") != null
              : victim::healthy;
          await(victim.name + " to recover after kill " + (k + 1), RECOVERY_BOUND, recovered, roles);
          double seconds = (System.nanoTime() - killedAt) / 1e9;
          recoveries.computeIfAbsent(victim.name, n -> new ArrayList<>()).add(seconds);
          System.out.printf("crash test: kill %d of %d: %s, recovered in %.1f s%n", k + 1, kills, victim.name, seconds);
        }
      } finally {
        running.set(false);
        feeder.join();
        client.join();
      }
      producer.flush();
      assertThat(failedSends.get()).as("interactions the broker refused").isZero();
      for (Interaction in : live) {
        count(in, dataset, expected, sent);
      }

      // Quiet: everything sent is counted, profiled and in a snapshot.
      long total = endOffsets(Topics.INTERACTIONS).values().stream().mapToLong(Long::longValue).sum();
      await("the stream processor to commit every interaction", Duration.ofMinutes(2), () -> committed() == total,
          roles);
      await("the profiles to settle", Duration.ofMinutes(1), () -> profileMismatches(expected).isEmpty(), roles);
      List<String> mismatches = profileMismatches(expected);
      SnapshotManifest last = awaitValue("a snapshot of every interaction", Duration.ofMinutes(2), () -> {
        SnapshotManifest m = newest(read(Topics.SNAPSHOTS, SnapshotManifest.class));
        return m != null && covered(m) == total ? m : null;
      }, roles);
      Map<String, Integer> counted = snapshotRows(Path.of(last.getPath()));
      long lost = 0;
      long doubled = 0;
      for (var e : sent.entrySet()) {
        int c = counted.getOrDefault(e.getKey(), 0);
        lost += Math.max(0, e.getValue() - c);
        doubled += Math.max(0, c - e.getValue());
      }
      for (var e : counted.entrySet()) {
        if (!sent.containsKey(e.getKey())) {
          doubled += e.getValue();
        }
      }

      // The trainer may still be fine-tuning on the last snapshots: the API must end on whatever it publishes last.
      long newest = awaitValue("the API to serve the newest version", Duration.ofMinutes(2), () -> {
        long v = manifests().values().stream().filter(m -> m.getStatus() == ModelStatus.COMPLETE)
            .mapToLong(ModelVersion::getVersion).max().orElse(0);
        RecommendResponse r = answers(channel, "u2");
        return r != null && r.getModelVersion() == v ? v : null;
      }, roles);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

      // Every version a reply named: COMPLETE, with exactly its announced records.
      Map<Long, ModelVersion> versions = manifests();
      Map<Long, long[]> records = embeddingCounts();
      List<String> incomplete = new ArrayList<>();
      servedVersions.keySet().forEach(v -> {
        ModelVersion m = versions.get(v);
        long[] n = records.getOrDefault(v, new long[2]);
        if (m == null || m.getStatus() != ModelStatus.COMPLETE || n[0] != m.getUserCount() || n[1] != m.getItemCount()) {
          incomplete.add("v" + v + ": " + (m == null ? "no manifest" : m.getStatus() + ", " + n[0] + "/" + m.getUserCount()
              + " users, " + n[1] + "/" + m.getItemCount() + " items"));
        }
      });

      double maxRecovery = recoveries.values().stream().flatMap(List::stream).mapToDouble(d -> d).max().orElse(0);
      figures.put("kills", recoveries.values().stream().mapToInt(List::size).sum());
      recoveries.forEach((name, list) -> {
        String key = name.replace('-', '_');
        figures.put("kills_" + key, list.size());
        figures.put("max_recovery_seconds_" + key, round(list.stream().mapToDouble(d -> d).max().orElse(0)));
        figures.put("mean_recovery_seconds_" + key, round(list.stream().mapToDouble(d -> d).average().orElse(0)));
      });
      figures.put("events", total);
      figures.put("live_events", live.size());
      figures.put("mismatches", mismatches.size());
      figures.put("lost_events", lost);
      figures.put("duplicated_events", doubled);
      figures.put("incomplete_versions_served", incomplete.size());
      figures.put("max_recovery_seconds", round(maxRecovery));
      figures.put("versions_published", versions.values().stream().filter(m -> m.getStatus() == ModelStatus.COMPLETE)
          .count());
      figures.put("versions_served", servedVersions.size());
      figures.put("version_at_end", newest);
      figures.put("snapshots", last.getVersion());
      figures.put("api_replies_ok", ok.get());
      figures.put("api_replies_failed_while_down", failed.get());
      figures.put("seconds", round((System.nanoTime() - t0) / 1e9));
      figures.put("load_average_after", Machine.loadAverage());
      report();

      assertThat(recoveries.values().stream().mapToInt(List::size).sum()).isEqualTo(kills);
      assertThat(mismatches).as("profiles against the from-scratch computation").isEmpty();
      assertThat(lost).as("interactions sent but not in the last snapshot").isZero();
      assertThat(doubled).as("interactions counted more than once").isZero();
      assertThat(last.getInteractions()).isEqualTo(total);
      assertThat(incomplete).as("versions the API answered from").isEmpty();
      assertThat(servedVersions).as("versions the API answered from").isNotEmpty();
      assertThat(ok.get()).isPositive();
    } finally {
      for (Role r : roles) {
        r.stop();
      }
      runtime.close();
    }
  }

  private Role role(String name, Jar jar, List<String> settings) throws java.io.IOException {
    int metrics = Role.freePort();
    List<String> args = new ArrayList<>();
    if (jar == Jar.TRAINER || jar == Jar.RECOMMENDER_API) {
      args.add("serve");
    }
    List<String> all = new ArrayList<>(List.of("bootstrap.servers=" + runtime.bootstrapServers(),
        "schema.registry.url=" + runtime.schemaRegistryUrl(), "metrics.port=" + metrics));
    all.addAll(settings);
    for (String s : all) {
      args.add("--set");
      args.add(s);
    }
    // The roles' logs outlive the run (the working directory is the module's), for a failure's post-mortem.
    return new Role(name, jar, Path.of("target", "crash-logs").toAbsolutePath(), metrics, args);
  }

  private KafkaProducer<String, SpecificRecord> producer() {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers());
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    c.put("schema.registry.url", runtime.schemaRegistryUrl());
    return new KafkaProducer<>(c, new StringSerializer(), serializer());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private org.apache.kafka.common.serialization.Serializer<SpecificRecord> serializer() {
    AvroSerializer s = new AvroSerializer();
    s.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl()), false);
    return s;
  }

  /** Items first (all of them known before any interaction), then the labelled interactions. */
  private static void publishDataset(KafkaProducer<String, SpecificRecord> producer, MmrecDataset d,
      Map<String, Expected> expected, Map<String, Integer> sent) {
    for (int i = 0; i < d.numItems(); i++) {
      List<FloatVector> vs = new ArrayList<>();
      for (FeatureMatrix f : d.features()) {
        vs.add(Vectors.floatVector(f.modality(), f.data(), i * f.dim(), f.dim()));
      }
      producer.send(new ProducerRecord<>(Topics.ITEMS, "i" + i, new ItemFeatures("i" + i, vs, Instant.EPOCH)));
    }
    producer.flush();
    InteractionTable t = d.interactions();
    for (int row : t.publishOrder()) {
      Interaction in = Interaction.newBuilder().setEventId("syn:" + row).setUserId("u" + t.users()[row])
          .setItemId("i" + t.items()[row]).setEventTime(Instant.ofEpochMilli(t.timestamps()[row] * 1000))
          .setWeight(null).setType(null).setSplit(Split.valueOf(t.splits()[row].name())).build();
      producer.send(new ProducerRecord<>(Topics.INTERACTIONS, in.getUserId(), in));
      count(in, d, expected, sent);
    }
    producer.flush();
  }

  /** Adds an interaction to the from-scratch answer (in publish order: each user's partition order). */
  private static void count(Interaction in, MmrecDataset d, Map<String, Expected> expected, Map<String, Integer> sent) {
    sent.merge(rowKey(in.getUserId(), in.getItemId(), in.getEventTime().toEpochMilli()), 1, Integer::sum);
    Expected u = expected.computeIfAbsent(in.getUserId(), k -> new Expected(d.features()));
    if (in.getSplit() == null || in.getSplit() == Split.TRAIN) { // Eq. 5 counts training and live interactions
      int item = Integer.parseInt(in.getItemId().substring(1));
      u.degree++;
      for (int m = 0; m < u.sums.length; m++) {
        FeatureMatrix f = d.features().get(m);
        for (int j = 0; j < f.dim(); j++) {
          u.sums[m][j] += f.data()[item * f.dim() + j];
        }
      }
    }
  }

  private static String rowKey(String user, String item, long eventTimeMs) {
    return user + "\t" + item + "\t" + eventTimeMs;
  }

  /** Live interactions at {@link #LIVE_RATE}/s: known users, and every tenth one a user new to the models. */
  private static void feed(KafkaProducer<String, SpecificRecord> producer, AtomicBoolean running,
      List<Interaction> live, AtomicLong failedSends, long seed) {
    SplittableRandom r = new SplittableRandom(seed + 1);
    long base = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    for (int k = 0; running.get(); k++) {
      String user = k % 10 == 9 ? "n" + k / 50 : "u" + r.nextInt(USERS);
      Interaction in = Interaction.newBuilder().setEventId("live:" + k).setUserId(user).setItemId("i" + r.nextInt(ITEMS))
          .setEventTime(Instant.ofEpochMilli(base + k)).setWeight(null).setType(null).setSplit(null).build();
      producer.send(new ProducerRecord<>(Topics.INTERACTIONS, user, in), (md, e) -> {
        if (e != null) {
          failedSends.incrementAndGet();
        }
      });
      live.add(in);
      sleep(1000 / LIVE_RATE);
    }
  }

  /** Recommend(k = 5) for random users until told to stop; a reply's version is counted, a failure too. */
  private static void query(ManagedChannel channel, AtomicBoolean running, Map<Long, Long> versions, AtomicLong ok,
      AtomicLong failed, long seed) {
    SplittableRandom r = new SplittableRandom(seed + 2);
    while (running.get()) {
      RecommendResponse reply = answers(channel, "u" + r.nextInt(USERS));
      if (reply == null) {
        failed.incrementAndGet();
      } else {
        ok.incrementAndGet();
        versions.merge(reply.getModelVersion(), 1L, Long::sum);
      }
      sleep(20);
    }
  }

  /** One Recommend call, or null when the API did not answer (down, restarting, not serving yet). */
  private static RecommendResponse answers(ManagedChannel channel, String user) {
    try {
      return RecommenderGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .recommend(RecommendRequest.newBuilder().setUserId(user).setK(5).build());
    } catch (StatusRuntimeException e) {
      channel.resetConnectBackoff(); // a restarted server is tried again at once, not after the backoff
      return null;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Interactions the stream processor has committed, over all partitions. */
  private long committed() {
    try (Admin admin = runtime.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(APPLICATION_ID).partitionsToOffsetAndMetadata().get();
      return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.INTERACTIONS))
          .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    try (Admin admin = runtime.admin()) {
      Map<TopicPartition, OffsetSpec> q = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> q.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(q).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
      return out;
    }
  }

  /** Committed records of a topic (read_committed) from the beginning, decoded. */
  private <T> List<T> read(String topic, Class<T> type) {
    Map<TopicPartition, Long> ends;
    try {
      ends = endOffsets(topic);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    AvroDeserializer<T> d = new AvroDeserializer<>(type);
    d.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl()), false);
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MANIFEST_MAX_BYTES),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      c.assign(ends.keySet());
      c.seekToBeginning(ends.keySet());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // Up to the last stable offset: a transaction left open by a killed producer ends within its timeout.
      while (ends.keySet().stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            out.add(d.deserialize(topic, r.value()));
          }
        }
      }
    }
    return out;
  }

  /** The newest record per version on model-versions (PUBLISHING, then COMPLETE or REJECTED). */
  private Map<Long, ModelVersion> manifests() {
    Map<Long, ModelVersion> out = new TreeMap<>();
    read(Topics.MODEL_VERSIONS, ModelVersion.class).forEach(m -> out.put(m.getVersion(), m));
    out.values().removeIf(m -> m.getStatus() != ModelStatus.COMPLETE && m.getStatus() != ModelStatus.REJECTED);
    return out;
  }

  /** Committed user and item embedding records per model version. */
  private Map<Long, long[]> embeddingCounts() {
    Map<Long, long[]> out = new HashMap<>();
    read(Topics.USER_EMBEDDINGS, UserEmbedding.class)
        .forEach(u -> out.computeIfAbsent(u.getModelVersion(), v -> new long[2])[0]++);
    read(Topics.ITEM_EMBEDDINGS, ItemEmbedding.class)
        .forEach(i -> out.computeIfAbsent(i.getModelVersion(), v -> new long[2])[1]++);
    return out;
  }

  private List<String> profileMismatches(Map<String, Expected> expected) {
    Map<String, UserProfile> latest = new HashMap<>();
    read(Topics.USER_PROFILES, UserProfile.class).forEach(p -> latest.put(p.getUserId(), p));
    List<String> bad = new ArrayList<>();
    for (var e : expected.entrySet()) {
      UserProfile p = latest.get(e.getKey());
      Expected x = e.getValue();
      if (x.degree == 0) {
        continue; // only held-out interactions: nothing summed, no profile needed
      }
      if (p == null) {
        bad.add(e.getKey() + ": no profile");
      } else if (p.getDegree() != x.degree) {
        bad.add(e.getKey() + ": degree " + p.getDegree() + " != " + x.degree);
      } else {
        for (int m = 0; m < x.sums.length; m++) {
          if (!java.util.Arrays.equals(Vectors.doubles(p.getSums().get(m)), x.sums[m])) {
            bad.add(e.getKey() + ": modality " + m + " sums differ (bitwise)");
          }
        }
      }
    }
    return bad;
  }

  private static SnapshotManifest newest(List<SnapshotManifest> all) {
    return all.stream().max(java.util.Comparator.comparingLong(SnapshotManifest::getVersion)).orElse(null);
  }

  /** How many interaction records the snapshot accounts for (its input end offsets). */
  private static long covered(SnapshotManifest m) {
    return m.getOffsets().stream().filter(o -> o.getTopic().equals(Topics.INTERACTIONS))
        .mapToLong(TopicOffset::getEndOffset).sum();
  }

  /** The snapshot's interactions.tsv as row key -> count. */
  private static Map<String, Integer> snapshotRows(Path snapshot) throws java.io.IOException {
    Map<String, Integer> rows = new HashMap<>();
    List<String> lines = Files.readAllLines(snapshot.resolve("interactions.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split("\t", -1);
      rows.merge(rowKey(c[0], c[1], Long.parseLong(c[2])), 1, Integer::sum);
    }
    return rows;
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition, List<Role> roles)
      throws InterruptedException {
    awaitValue(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null, roles);
  }

  private static <T> T awaitValue(String what, Duration timeout, java.util.function.Supplier<T> value, List<Role> roles)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n"
            + String.join("\n", roles.stream().map(Role::tail).toList()));
      }
      Thread.sleep(250);
    }
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /**
   * Writes the figures as flat JSON where -Dcrash.report says (relative to the project root),
   * keeping the keys of that file this test does not measure (the compose run's).
   */
  private void report() throws java.io.IOException {
    figures.forEach((k, v) -> System.out.println("crash test: " + k + " = " + v));
    String where = System.getProperty("crash.report");
    if (where == null || where.isBlank()) {
      return;
    }
    Path file = Path.of(System.getProperty("crane.root", "..")).toAbsolutePath().normalize().resolve(where);
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    Map<String, Object> merged = new LinkedHashMap<>();
    if (Files.isRegularFile(file)) {
      json.readValue(file.toFile(), LinkedHashMap.class).forEach((k, v) -> merged.put((String) k, v));
    }
    merged.putAll(figures);
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), merged);
    System.out.println("crash test: figures written to " + file);
  }
}
