package dev.crane.stream.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.schemas.serde.AvroSerializer;
import dev.crane.stream.deadletter.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Producing to and reading from the embedded broker, and the exactness assertions. */
final class Cluster {
  final EmbeddedRuntime runtime;
  private final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
  private final KafkaProducer<byte[], byte[]> producer;

  Cluster(EmbeddedRuntime runtime) {
    this.runtime = runtime;
    serializer.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl()), false);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
  }

  byte[] bytes(String topic, SpecificRecord r) {
    return serializer.serialize(topic, r);
  }

  void item(ItemFeatures f) {
    producer.send(new ProducerRecord<>(Topics.ITEMS, f.getItemId().toString().getBytes(), bytes(Topics.ITEMS, f)));
  }

  void interaction(Interaction in) {
    raw(in.getUserId().toString().getBytes(), bytes(Topics.INTERACTIONS, in));
  }

  void raw(byte[] key, byte[] value) {
    producer.send(new ProducerRecord<>(Topics.INTERACTIONS, key, value));
  }

  void flush() {
    producer.flush();
  }

  /** Interactions consumed and committed by the application, over all partitions. */
  long committed(String applicationId) {
    try (Admin admin = runtime.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
      return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.INTERACTIONS))
          .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset()).sum();
    } catch (InterruptedException | ExecutionException e) {
      return 0;
    }
  }

  Map<TopicPartition, Long> endOffsets(String topic) {
    try (Admin admin = runtime.admin()) {
      int n = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> q = new HashMap<>();
      for (int p = 0; p < n; p++) {
        q.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(q).all().get().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  long endOffsetSum(String topic) {
    return endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Committed records of a topic (read_committed), from the beginning. */
  List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    Map<TopicPartition, Long> ends = endOffsets(topic);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
      c.assign(ends.keySet());
      c.seekToBeginning(ends.keySet());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ends.keySet().stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end (an open transaction?)");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /** The latest committed profile of every user on topic user-profiles. */
  Map<String, UserProfile> latestProfiles() {
    AvroDeserializer<UserProfile> d = new AvroDeserializer<>(UserProfile.class);
    d.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl()), false);
    Map<String, UserProfile> latest = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(Topics.USER_PROFILES)) {
      latest.put(r.key(), d.deserialize(Topics.USER_PROFILES, r.value()));
    }
    return latest;
  }

  /** Dead letters as "reason source-partition@offset". */
  List<String> deadLetters() {
    return readAll(Topics.DEAD_LETTERS).stream().map(r -> DeadLetters.header(r.headers(), DeadLetters.REASON) + " "
        + DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION) + "@"
        + DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)).toList();
  }

  /** Differences between committed profiles and the from-scratch answer (empty = exact). */
  static List<String> profileMismatches(Workload w, Map<String, UserProfile> profiles) {
    List<String> bad = new ArrayList<>();
    if (!profiles.keySet().equals(w.users.keySet())) {
      Set<String> missing = new java.util.TreeSet<>(w.users.keySet());
      missing.removeAll(profiles.keySet());
      bad.add("users differ: " + profiles.size() + " profiles vs " + w.users.size() + " expected; missing e.g. "
          + missing.stream().limit(5).toList());
      return bad;
    }
    for (var e : w.users.entrySet()) {
      UserProfile p = profiles.get(e.getKey());
      Workload.ExpectedUser x = e.getValue();
      if (p.getDegree() != x.degree()) {
        bad.add(e.getKey() + ": degree " + p.getDegree() + " != " + x.degree());
        continue;
      }
      for (int m = 0; m < x.sums.length; m++) {
        double[] got = Vectors.doubles(p.getSums().get(m));
        if (!java.util.Arrays.equals(got, x.sums[m])) {
          bad.add(e.getKey() + ": modality " + m + " sums differ (bitwise)");
        }
      }
    }
    return bad;
  }

  /**
   * Waits for a condition; the deadline is {@code timeout} scaled by 3: the call sites give quiet-machine
   * bounds, and with training jobs on both cores (load average 7-9) a child JVM missed a 90 s one.
   */
  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Duration scaled = timeout.multipliedBy(3);
    long deadline = System.nanoTime() + scaled.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + scaled.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  void close() {
    producer.close();
  }

  static void assertExact(Workload w, Map<String, UserProfile> profiles) {
    assertThat(profileMismatches(w, profiles)).isEmpty();
  }
}
