package dev.crane.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ingest.dataset.TestData;
import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.serde.AvroDeserializer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ingest CLI as a user runs it, against a real broker and a real schema registry. */
class IngestCliIntegrationTest {
  private static EmbeddedRuntime runtime;
  private static final Map<TopicPartition, Long> startOffsets = new HashMap<>();
  @TempDir static Path runtimeDir;
  @TempDir Path tmp;

  @BeforeAll
  static void startRuntime() {
    runtime = EmbeddedRuntime.start(runtimeDir, 2);
  }

  @AfterAll
  static void stopRuntime() {
    runtime.close();
  }

  /** Each test reads only what it published: from the end offsets before it ran. */
  @BeforeEach
  void rememberEndOffsets() throws Exception {
    startOffsets.clear();
    try (Admin admin = runtime.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : List.of(Topics.ITEMS, Topics.INTERACTIONS)) {
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().forEach(
            p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      }
      admin.listOffsets(latest).all().get().forEach((tp, info) -> startOffsets.put(tp, info.offset()));
    }
  }

  @Test
  void syntheticDatasetIsWrittenAndPublishedFeaturesIntact() throws Exception {
    Path out = tmp.resolve("synthetic");
    Result r = run("synthetic", "--users", "120", "--items", "80", "--modalities", "visual:64,text:16",
        "--seed", "7", "--out", out.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("generated").contains("wrote").contains("items").contains("bad records skipped: 0");

    MmrecDataset written = MmrecReader.read(out);
    List<ItemFeatures> items = consume(Topics.ITEMS, ItemFeatures.class, written.numItems());
    List<Interaction> interactions = consume(Topics.INTERACTIONS, Interaction.class, written.interactions().size());
    assertThat(items).hasSize(80);
    assertThat(interactions).hasSize(written.interactions().size());

    ItemFeatures item = items.stream().filter(i -> i.getItemId().equals("13")).findFirst().orElseThrow();
    assertThat(item.getFeatures()).extracting(FloatVector::getModality).containsExactly("visual", "text");
    assertThat(Vectors.floats(item.getFeatures().get(0))).containsExactly(written.feature("visual").row(13));
    assertThat(interactions).extracting(Interaction::getEventId).doesNotHaveDuplicates();
  }

  @Test
  void limitAndRateAreHonoured() {
    long start = System.nanoTime();
    Result r = run("synthetic", "--users", "60", "--items", "40", "--modalities", "text:8", "--seed", "3",
        "--limit", "50", "--rate", "200");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(r.code).as(r.err).isZero();
    assertThat(consume(Topics.INTERACTIONS, Interaction.class, 50)).hasSize(50);
    assertThat(consume(Topics.ITEMS, ItemFeatures.class, 40)).hasSize(40);
    // 90 records paced at 200/s cannot take less than (90 - 1) / 200 s.
    assertThat(seconds).isGreaterThanOrEqualTo(89 / 200.0);
  }

  @Test
  void badLineStopsWithFileAndLineUnlessSkipped() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(dir.resolve("bad.inter"), "userID\titemID\tx_label\n0\t0\t0\n0\tx\t0\n1\t1\t0\n");
    Result strict = run("dataset", "--path", dir.toString());
    assertThat(strict.code).isEqualTo(2);
    assertThat(strict.err).contains("bad.inter:3:").contains("not an integer").contains("--skip-bad");

    Result skipping = run("dataset", "--path", dir.toString(), "--skip-bad");
    assertThat(skipping.code).as(skipping.err).isZero();
    assertThat(skipping.out).contains("bad records skipped: 1");
    assertThat(consume(Topics.INTERACTIONS, Interaction.class, 2)).hasSize(2);
  }

  @Test
  void tiktokIsPublishedInFull() throws Exception {
    Path tiktok = TestData.dataset("tiktok");
    Result r = run("dataset", "--path", tiktok.toString());
    assertThat(r.code).as(r.err).isZero();

    List<ItemFeatures> items = consume(Topics.ITEMS, ItemFeatures.class, 6_710);
    List<Interaction> interactions = consume(Topics.INTERACTIONS, Interaction.class, 68_722);
    assertThat(items).hasSize(6_710);
    assertThat(interactions).hasSize(68_722);
    assertThat(items).allSatisfy(i -> assertThat(i.getFeatures())
        .extracting(FloatVector::getModality, FloatVector::getDim)
        .containsExactlyInAnyOrder(CommandLineTuple.of("image", 128), CommandLineTuple.of("audio", 128)));
    MmrecDataset expected = MmrecReader.read(tiktok);
    ItemFeatures first = items.stream().filter(i -> i.getItemId().equals("0")).findFirst().orElseThrow();
    FloatVector image = first.getFeatures().stream().filter(v -> v.getModality().equals("image")).findFirst().orElseThrow();
    assertThat(Vectors.floats(image)).containsExactly(expected.feature("image").row(0));
    assertThat(interactions.stream().filter(i -> i.getSplit() != null && i.getSplit().name().equals("TRAIN")).count())
        .isEqualTo(59_541);
  }

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    String[] full = new String[args.length + 3];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--bootstrap-servers=" + runtime.bootstrapServers();
    full[args.length + 1] = "--schema-registry-url=" + runtime.schemaRegistryUrl();
    full[args.length + 2] = "--no-progress";
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = IngestCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(full);
    return new Result(code, out.toString(), err.toString());
  }

  /** A consumer configured only with the registry URL reads the records back. */
  private static <T extends SpecificRecord> List<T> consume(String topic, Class<T> type, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, runtime.bootstrapServers());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put("schema.registry.url", runtime.schemaRegistryUrl());
    p.put("specific.avro.reader", true);
    var values = new java.util.ArrayList<T>();
    AvroDeserializer<T> deserializer = new AvroDeserializer<>();
    deserializer.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl(), "specific.avro.reader", true), false);
    try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), deserializer)) {
      List<TopicPartition> partitions = startOffsets.keySet().stream().filter(tp -> tp.topic().equals(topic)).toList();
      consumer.assign(partitions);
      partitions.forEach(tp -> consumer.seek(tp, startOffsets.get(tp)));
      long deadline = System.currentTimeMillis() + 60_000;
      // Poll until the expected count arrives, then a little longer to catch any extra records.
      long quietUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(type.cast(r.value()));
        }
        if (values.size() >= expected && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.currentTimeMillis() + 1_000;
        }
      }
    }
    return values;
  }

  /** AssertJ tuple shorthand. */
  private static final class CommandLineTuple {
    static org.assertj.core.groups.Tuple of(Object... values) {
      return org.assertj.core.groups.Tuple.tuple(values);
    }
  }
}
