package dev.crane.trainer.service;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.ingest.publish.DatasetPublisher;
import dev.crane.ingest.publish.ProducerFactory;
import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Split;
import dev.crane.schemas.Topics;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.stream.StreamProcessorApp;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.trainer.publish.ManifestLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The real path into the trainer for tests: an in-process broker and registry, the real stream
 * processor (its snapshots cut on request), and a synthetic dataset of live traffic (no split labels)
 * published in waves through ingest's publisher.
 */
final class LivePipeline implements AutoCloseable {
  static final String APP = "crane-stream-test";
  static final String MODALITIES = "visual:24,text:8";

  final EmbeddedRuntime runtime;
  final StreamProcessorApp processor;
  final MmrecDataset dataset;
  private final Path dir;

  LivePipeline(Path dir, int users, int items, long seed) {
    this.dir = dir;
    this.runtime = EmbeddedRuntime.start(dir.resolve("runtime"), 2);
    MmrecDataset labelled = SyntheticGenerator.generate(
        SyntheticConfig.defaults(users, items, Modality.parseList(MODALITIES), seed)).dataset();
    InteractionTable t = labelled.interactions();
    Split[] live = new Split[t.size()];
    Arrays.fill(live, Split.UNLABELLED); // live traffic: the trainer's holdout rule decides
    this.dataset = new MmrecDataset("live", labelled.numUsers(), labelled.numItems(),
        new InteractionTable(t.users(), t.items(), t.timestamps(), null, live), labelled.features());
    Map<String, String> s = new LinkedHashMap<>();
    s.put("application.id", APP);
    s.put("bootstrap.servers", runtime.bootstrapServers());
    s.put("schema.registry.url", runtime.schemaRegistryUrl());
    s.put("state.dir", dir.resolve("stream-state").toString());
    s.put("snapshot.dir", snapshotDir().toString());
    s.put("modalities", MODALITIES);
    s.put("commit.interval.ms", "100");
    s.put("snapshot.interval.ms", Long.toString(Duration.ofDays(1).toMillis())); // only on request
    s.put("metrics.port", "-1");
    this.processor = StreamProcessorApp.start(ConfigLoader.fromMap(s), new SimpleMeterRegistry(), false);
  }

  Path snapshotDir() {
    return dir.resolve("snapshots");
  }

  /** Publishes the rows (in event-time order) and the items they need, minus {@code withheldItems}. */
  void publish(Predicate<Integer> row, int[] withheldItems) {
    publish(dataset, row, withheldItems);
  }

  /** The rows again as new events (other event ids): users coming back to items they had. */
  void publishRepeats(Predicate<Integer> row, String eventIdPrefix) {
    MmrecDataset again = new MmrecDataset(eventIdPrefix, dataset.numUsers(), dataset.numItems(), dataset.interactions(),
        dataset.features());
    publish(again, row, new int[0]);
  }

  private void publish(MmrecDataset d, Predicate<Integer> row, int[] withheldItems) {
    int[] order = Arrays.stream(d.interactions().publishOrder()).filter(row::test).toArray();
    try (var producer = ProducerFactory.create(runtime.bootstrapServers(), runtime.schemaRegistryUrl(), Map.of())) {
      new DatasetPublisher(producer, DatasetPublisher.Options.defaults()).publish(d, order, Map.of(), withheldItems);
    }
  }

  /** Waits until the processor has committed every interaction published, then cuts a snapshot. */
  void snapshotAfterProcessing() throws InterruptedException {
    await("the stream processor to consume all interactions", Duration.ofSeconds(90), processor::caughtUp);
    processor.requestSnapshot();
  }

  ManifestLog manifests() {
    return ManifestLog.read(runtime.bootstrapServers(), runtime.schemaRegistryUrl(), Duration.ofSeconds(30));
  }

  /** Committed records of {@code topic} (read_committed, the latest per key), filtered. */
  <T extends SpecificRecord> Map<String, T> committed(String topic, Predicate<T> keep) {
    return records(topic, "read_committed", keep);
  }

  <T extends SpecificRecord> Map<String, T> records(String topic, String isolation, Predicate<T> keep) {
    Map<String, Object> c = KafkaClientDefaults.common();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 << 20);
    AvroDeserializer<T> values = new AvroDeserializer<>();
    values.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl(), "specific.avro.reader", true), false);
    Map<String, T> out = new LinkedHashMap<>();
    try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values)) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null && keep.test(r.value())) {
            out.put(r.key(), r.value());
          }
        }
      }
    }
    return out;
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  @Override
  public void close() {
    processor.close();
    runtime.close();
  }
}
