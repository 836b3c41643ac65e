package dev.crane.stream.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.Split;
import dev.crane.stream.StreamProcessorApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once through a crash: the application runs in a child JVM that is killed with SIGKILL
 * mid-stream (its open transaction is left behind, its RocksDB state is dirty), then restarted
 * on the same state directory. The committed profiles must equal a from-scratch computation
 * bitwise, item degrees exactly, and the dead-letter topic must hold exactly the bad records.
 * Snapshots run throughout, so the restart rebuilds from a profile checkpoint and a truncated journal.
 */
class CrashRecoveryTest {
  private static final String MODALITIES = "image:16,audio:8";
  @TempDir static Path dir;
  static EmbeddedRuntime runtime;

  @BeforeAll
  static void start() {
    runtime = EmbeddedRuntime.start(dir.resolve("runtime"), 2);
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void killedMidStreamThenRestartedCountsEveryEventExactlyOnce() throws Exception {
    Workload w = new Workload(2000, 300, MODALITIES, 7);
    Cluster c = new Cluster(runtime);
    w.items.forEach(c::item);
    float[] three = {1, 2, 3};
    c.item(new ItemFeatures("bad-dim", List.of(Vectors.floatVector("image", three, 0, 3),
        Vectors.floatVector("audio", three, 0, 3)), Instant.EPOCH));
    c.flush();
    List<Interaction> events = w.interactions;
    int third = events.size() / 3;
    publish(c, events, 0, third);
    long firstPart = c.endOffsetSum(Topics.INTERACTIONS);

    Map<String, String> settings = Instances.settings(runtime, "crash-test", dir.resolve("state"),
        dir.resolve("snapshots"), MODALITIES,
        // A small user cache, so that evictions write profiles back to RocksDB all the time; snapshot
        // cuts (hence profile checkpoints and journal truncation) every 1,000 interactions.
        Map.of("users.cache.bytes", "65536", "snapshot.every.interactions", "1000"));
    Process child = Instances.child(settings, dir.resolve("child.log"));
    long total;
    try {
      // v1 on disk: every partition's part, hence its first checkpoint, is committed. Only then is
      // the rest published, so that the kill still lands mid-stream.
      Path v1 = dir.resolve("snapshots").resolve("v00000001");
      Cluster.await("the child to write snapshot v1", Duration.ofSeconds(90),
          () -> Files.isDirectory(v1) || !child.isAlive());
      publish(c, events, third, events.size());
      total = c.endOffsetSum(Topics.INTERACTIONS);
      Cluster.await("the child to commit a quarter of the rest", Duration.ofSeconds(90),
          () -> c.committed("crash-test") >= firstPart + (total - firstPart) / 4 || !child.isAlive());
      assertThat(child.isAlive()).as("child JVM still running; log:\n%s", tail(dir.resolve("child.log"))).isTrue();
    } finally {
      child.destroyForcibly(); // SIGKILL: no commit, no close, no checkpoint
      child.waitFor(30, TimeUnit.SECONDS);
    }
    long atCrash = c.committed("crash-test");
    assertThat(atCrash).as("the crash happened mid-stream").isLessThan(total);
    System.out.printf("crash test: %d input records, %d committed when the child JVM was killed%n", total, atCrash);

    String metrics;
    try (StreamProcessorApp app = Instances.withMetricsEndpoint(settings)) {
      Cluster.await("all input committed", Duration.ofSeconds(120), () -> c.committed("crash-test") == total);
      Cluster.await("profiles equal to the from-scratch computation", Duration.ofSeconds(60),
          () -> Cluster.profileMismatches(w, c.latestProfiles()).isEmpty());
      Cluster.await("item degrees", Duration.ofSeconds(30),
          () -> Instances.itemDegreesEqual(w.itemDegrees, app));
      // The held record on an item that never arrives goes to the DLQ 2 s after it was (re)read.
      Cluster.await("the five bad records in the DLQ", Duration.ofSeconds(30), () -> c.deadLetters().size() >= 5);
      metrics = scrape(app.metricsPort(), "/metrics");
      assertThat(scrape(app.metricsPort(), "/health")).isEqualTo("UP\n");
    }
    // The restarted instance's own counters (it processed the part the child had not committed).
    assertThat(metrics).containsPattern("crane_stream_events_total\\{outcome=\"accepted\"\\} [1-9]")
        .containsPattern("crane_stream_dead_letters_total\\{reason=\"unknown-item\"\\} [01]\\.0")
        .contains("crane_stream_consumer_lag ").contains("crane_stream_store_entries{store=\"user-profiles\"}")
        .contains("crane_stream_store_bytes{store=\"user-profiles\"}").contains("crane_stream_last_snapshot_age_seconds")
        .contains("kafka_stream_")
        .containsPattern("crane_stream_rebuild_entries_total\\{source=\"checkpoint\"\\} [1-9]");
    long replayed = (long) Double.parseDouble(metrics.replaceAll(
        "(?s).*crane_stream_rebuild_entries_total\\{source=\"journal\"\\} ([0-9.E]+).*", "$1"));
    System.out.printf("crash test: the restart replayed %d journal entries (%d input records committed)%n",
        replayed, atCrash);
    assertThat(replayed).as("only the journal above the checkpoints is replayed").isLessThan(atCrash);
    Cluster.assertExact(w, c.latestProfiles());
    List<String> dlq = c.deadLetters();
    assertThat(dlq).extracting(s -> s.substring(0, s.indexOf(' ')))
        .containsExactlyInAnyOrder("malformed", "malformed", "unknown-schema-id", "unknown-item", "wrong-dimension");
    assertThat(dlq).as("each bad record dead-lettered once, even across the crash").doesNotHaveDuplicates();
    c.close();
  }

  /** Events [from, to), with bad records and duplicates at fixed positions. */
  private static void publish(Cluster c, List<Interaction> events, int from, int to) {
    for (int k = from; k < to; k++) {
      c.interaction(events.get(k));
      if (k == 100 || k == 9000) {
        c.raw("u1".getBytes(), new byte[] {9, 9, 9});
      }
      if (k == 5000) {
        byte[] b = c.bytes(Topics.INTERACTIONS, events.get(0));
        b[1] = 0x7e; // unknown schema id
        c.raw(events.get(0).getUserId().toString().getBytes(), b);
        c.interaction(Interaction.newBuilder(events.get(1)).setEventId("bad:ghost").setItemId("ghost").build());
        c.interaction(Interaction.newBuilder(events.get(2)).setEventId("bad:dim").setItemId("bad-dim").build());
      }
      if (k % 4000 == 3999) {
        c.interaction(events.get(k - 7)); // a duplicate: same event id, counted once
      }
    }
    c.flush();
  }

  static String scrape(int port, String path) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).build();
    return http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (Exception e) {
      return "(no log)";
    }
  }
}
