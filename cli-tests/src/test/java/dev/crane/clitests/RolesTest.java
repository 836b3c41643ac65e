package dev.crane.clitests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.schemas.Topics;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles of README.md's "Running each role", in its order, as child processes against one
 * in-process broker and a real registry: what a person sees (the summaries with the right counts,
 * quiet logs) and what lands on the topics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolesTest {
  private static final int USERS = 300;
  private static final int ITEMS = 100;
  private static EmbeddedRuntime runtime;
  @TempDir static Path runtimeDir;
  @TempDir static Path work;
  private static Path dataset;
  private static long interactions;

  @BeforeAll
  static void startRuntime() {
    runtime = EmbeddedRuntime.start(runtimeDir, 2);
  }

  @AfterAll
  static void stopRuntime() {
    runtime.close();
  }

  private static String[] kafka() {
    return new String[] {"--bootstrap-servers", runtime.bootstrapServers(), "--schema-registry-url",
        runtime.schemaRegistryUrl()};
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static long records(String topic) throws Exception {
    try (Admin admin = runtime.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    }
  }

  /** The closing summary of ingest, with the counts of each topic. */
  private static void assertSummary(Jar.Run r, long items, long interactions) {
    assertThat(r.out()).as(r.both())
        .containsPattern("(?m)^items\\s+" + String.format("%,d", items) + "$")
        .containsPattern("(?m)^interactions\\s+" + String.format("%,d", interactions) + "$")
        .contains("bad records skipped: 0")
        .containsPattern("(?m)^[\\d.]+ s, [\\d,]+ records/s, [\\d.]+ MB/s$");
  }

  @Test
  @Order(1)
  void ingestSyntheticPrintsItsSummaryAndPublishesWhatItSays() throws Exception {
    dataset = work.resolve("synthetic");
    Jar.Run r = Jar.INGEST.run(work, Duration.ofMinutes(2), concat(new String[] {"synthetic", "--users",
        "" + USERS, "--items", "" + ITEMS, "--modalities", "visual:32,text:8", "--out", dataset.toString()}, kafka()));
    assertThat(r.exit()).as(r.both()).isZero();
    Matcher m = Pattern.compile("generated synthetic: 300 users, 100 items, ([\\d,]+) interactions").matcher(r.out());
    assertThat(m.find()).as(r.both()).isTrue();
    interactions = Long.parseLong(m.group(1).replace(",", ""));
    assertSummary(r, ITEMS, interactions);
    assertThat(r.err()).as(r.both()).isEmpty();
    Output.assertQuiet(r, 15);
    assertThat(records(Topics.ITEMS)).isEqualTo(ITEMS);
    assertThat(records(Topics.INTERACTIONS)).isEqualTo(interactions);
  }

  @Test
  @Order(2)
  void ingestDatasetPublishesTheDirectoryAgain() throws Exception {
    Jar.Run r = Jar.INGEST.run(work, Duration.ofMinutes(2), concat(new String[] {"dataset", "--path",
        dataset.toString()}, kafka()));
    assertThat(r.exit()).as(r.both()).isZero();
    assertThat(r.outLines().get(0)).isEqualTo("read synthetic: 300 users, 100 items, "
        + String.format("%,d", interactions) + " interactions, modalities [text, visual]"); // the reader orders modalities by name
    assertSummary(r, ITEMS, interactions);
    assertThat(r.err()).as(r.both()).isEmpty();
    Output.assertQuiet(r, 15);
    assertThat(records(Topics.INTERACTIONS)).isEqualTo(2 * interactions);
  }

  @Test
  @Order(3)
  void anUnreachableRegistryIsOneLine() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Jar.Run r = Jar.INGEST.run(work, Duration.ofMinutes(1), "synthetic", "--bootstrap-servers",
        runtime.bootstrapServers(), "--schema-registry-url", "http://127.0.0.1:" + port, "--connect-timeout", "3");
    assertThat(r.exit()).as(r.both()).isEqualTo(3);
    assertThat(r.errLines()).as(r.both()).containsExactly("error: cannot reach the schema registry at http://127.0.0.1:"
        + port + " within 3 s (connection refused); set --schema-registry-url or CRANE_SCHEMA_REGISTRY_URL");
    assertThat(r.out()).isEmpty();
  }

  @Test
  @Order(4)
  void streamProcessorCutsASnapshotAndStopsCleanlyOnSigterm() throws Exception {
    Path state = Files.createDirectories(work.resolve("stream"));
    Path out = state.resolve("stdout");
    Path err = state.resolve("stderr");
    long snapshotsBefore = records(Topics.SNAPSHOTS);
    Process p = Jar.STREAM_PROCESSOR.start(out, err, "--set", "bootstrap.servers=" + runtime.bootstrapServers(),
        "--set", "schema.registry.url=" + runtime.schemaRegistryUrl(), "--set", "modalities=visual:32,text:8",
        "--set", "state.dir=" + state.resolve("state"), "--set", "snapshot.dir=" + state.resolve("snapshots"),
        "--set", "snapshot.every.interactions=500", "--set", "metrics.port=0");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (records(Topics.SNAPSHOTS) == snapshotsBefore && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      assertThat(p.isAlive()).as("stream processor exited early:\n%s%s", Files.readString(out), Files.readString(err))
          .isTrue();
      assertThat(records(Topics.SNAPSHOTS)).isGreaterThan(snapshotsBefore);
    } finally {
      p.destroy(); // SIGTERM, as Ctrl+C or a container stop sends
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
    }
    String text = Files.readString(out) + Files.readString(err);
    assertThat(text).contains("stream processor running").contains("snapshot v1 published").contains("shutting down");
    assertThat(text.lines()).as(text).noneMatch(l -> l.contains(" ERROR "));
    Output.assertQuiet(text, 40, text);
    assertThat(text.length()).as(text).isLessThan(20_000);
  }

  @Test
  @Order(5)
  void trainerTrainsOnTheWrittenDatasetAndPrintsItsSummary() throws Exception {
    Jar.Run r = Jar.TRAINER.run(work, Duration.ofMinutes(5), "train", "--data", dataset.toString(), "--model",
        "lightgcn", "--epochs", "2", "--out", work.resolve("run").toString());
    assertThat(r.exit()).as(r.both()).isZero();
    assertThat(r.out()).as(r.both()).contains("lightgcn on synthetic: best epoch").containsPattern("(?m)^\\| 20 ")
        .contains("metrics " + work.resolve("run").resolve("metrics.json"));
    assertThat(r.errLines()).as(r.both()).filteredOn(l -> l.contains("epoch ") && l.contains("valid R@20")).hasSize(2);
    assertThat(r.errLines()).as(r.both()).noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR "));
    assertThat(work.resolve("run").resolve("metrics.json")).isRegularFile();
    Output.assertQuiet(r, 30);
  }

  @Test
  @Order(6)
  void trainerPublishesThatRunAsAModelVersion() throws Exception {
    Jar.Run r = Jar.TRAINER.run(work, Duration.ofMinutes(2), "publish", "--checkpoint",
        work.resolve("run").resolve("checkpoint").toString(), "--data", dataset.toString(),
        "--set", "bootstrap.servers=" + runtime.bootstrapServers(), "--set", "schema.registry.url=" + runtime.schemaRegistryUrl(),
        "--set", "state.dir=" + work.resolve("trainer-state"));
    assertThat(r.exit()).as(r.both()).isZero();
    assertThat(r.out()).as(r.both()).contains("published lightgcn from ").endsWith("as version 1" + System.lineSeparator());
    Output.assertQuiet(r, 10);

    Jar.Run status = Jar.TRAINER.run(work, Duration.ofMinutes(1), "status", "--set", "bootstrap.servers="
        + runtime.bootstrapServers(), "--set", "schema.registry.url=" + runtime.schemaRegistryUrl());
    assertThat(status.exit()).as(status.both()).isZero();
    assertThat(status.out()).as(status.both())
        .contains("serving version: 1 (lightgcn").contains(USERS + " users, " + ITEMS + " items, dim 64")
        .contains("last decision: version 1 published");
  }

  @Test
  @Order(7)
  void recommenderApiServesTheVersionAndAnswersUntilSigterm() throws Exception {
    int grpc;
    int metrics;
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      grpc = a.getLocalPort();
      metrics = b.getLocalPort();
    }
    Path logs = Files.createDirectories(work.resolve("api"));
    Process api = Jar.RECOMMENDER_API.start(logs.resolve("stdout"), logs.resolve("stderr"), "serve",
        "--set", "bootstrap.servers=" + runtime.bootstrapServers(), "--set", "schema.registry.url=" + runtime.schemaRegistryUrl(),
        "--set", "state.dir=" + logs.resolve("state"), "--set", "grpc.port=" + grpc, "--set", "metrics.port=" + metrics);
    Jar.Run load;
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpRequest health = java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + metrics + "/health")).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      int code = 0;
      while (code != 200 && api.isAlive() && System.nanoTime() < deadline) {
        try {
          code = http.send(health, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException notYet) {
          code = 0;
        }
        Thread.sleep(300);
      }
      assertThat(code).as("/health once version 1 is loaded:\n%s", Files.readString(logs.resolve("stderr"))).isEqualTo(200);
      load = Jar.RECOMMENDER_API.run(work, Duration.ofMinutes(1), "load", "--port", Integer.toString(grpc),
          "--qps", "50", "--seconds", "2", "--users", "50");
    } finally {
      api.destroy();
      assertThat(api.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
    }
    assertThat(load.exit()).as(load.both()).isZero();
    assertThat(load.out()).as(load.both()).containsPattern("offered 50/s achieved \\d+/s, 100 ok, 0 errors");
    String text = Files.readString(logs.resolve("stdout")) + Files.readString(logs.resolve("stderr"));
    assertThat(text).contains("serving version 1");
    assertThat(text.lines()).as(text).noneMatch(l -> l.contains(" ERROR "));
    Output.assertQuiet(text, 40, text);
  }
}
