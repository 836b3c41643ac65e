package dev.crane.stream.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.schemas.serde.AvroDeserializer;
import dev.crane.stream.StreamProcessorApp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances in one JVM sharing the partitions: B joins mid-stream, A leaves mid-stream and
 * later comes back with stale local state. The
 * profiles, item degrees and the snapshots (written while tasks move between instances) must all
 * equal the from-scratch computation.
 */
class TwoInstancesTest {
  private static final String MODALITIES = "image:16,audio:8";
  private static final String APP = "rebalance-test";
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
  void rebalancesMidStreamKeepProfilesDegreesAndSnapshotsExact() throws Exception {
    Workload w = new Workload(1500, 250, MODALITIES, 11);
    Cluster c = new Cluster(runtime);
    w.items.forEach(c::item);
    c.flush();
    int n = w.interactions.size();
    Map<String, String> extra = Map.of("snapshot.interval.ms", "1500");
    Path snapshots = dir.resolve("snapshots");
    StreamProcessorApp a = Instances.inProcess(Instances.settings(runtime, APP, dir.resolve("a"), snapshots,
        MODALITIES, extra));
    StreamProcessorApp b = null;
    try {
      int q = n / 4;
      publish(c, w, 0, q);
      Cluster.await("A to process some input", Duration.ofSeconds(60), () -> c.committed(APP) >= q / 2);
      b = Instances.inProcess(Instances.settings(runtime, APP, dir.resolve("b"), snapshots, MODALITIES, extra));
      publish(c, w, q, 2 * q);
      StreamProcessorApp bb = b;
      Cluster.await("B to own tasks", Duration.ofSeconds(60),
          () -> !bb.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
      Cluster.await("progress with two instances", Duration.ofSeconds(60), () -> c.committed(APP) >= q + q / 2);
      long beforeLeave = c.committed(APP);
      a.close(); // A leaves mid-stream: its tasks move to B, which rebuilds their profiles from the journal
      a = null;
      publish(c, w, 2 * q, 3 * q);
      Cluster.await("B alone to progress", Duration.ofSeconds(60), () -> c.committed(APP) >= 2 * q + q / 2);
      // A comes back with its now stale local profiles: whatever it is given must be rebuilt, not trusted.
      a = Instances.inProcess(Instances.settings(runtime, APP, dir.resolve("a"), snapshots, MODALITIES, extra));
      publish(c, w, 3 * q, n);
      long total = c.endOffsetSum(Topics.INTERACTIONS);
      assertThat(beforeLeave).as("A left mid-stream").isLessThan(total);
      Cluster.await("all input committed", Duration.ofSeconds(120), () -> c.committed(APP) == total);
      Cluster.await("exact profiles", Duration.ofSeconds(60),
          () -> Cluster.profileMismatches(w, c.latestProfiles()).isEmpty());
      StreamProcessorApp aa = a;
      StreamProcessorApp last = b;
      Cluster.await("exact item degrees", Duration.ofSeconds(30),
          () -> Instances.itemDegreesEqual(w.itemDegrees, aa, last));
      Cluster.await("a snapshot covering all input", Duration.ofSeconds(60),
          () -> covered(latestManifest(c), c.endOffsets(Topics.INTERACTIONS)));
      System.out.printf("rebalance test: journal entries replayed by rebuilds: A (second life) %d, B %d, of %d%n",
          (long) a.metrics().replayedCount(), (long) b.metrics().replayedCount(), n);
    } finally {
      if (a != null) {
        a.close();
      }
      if (b != null) {
        b.close();
      }
    }
    Cluster.assertExact(w, c.latestProfiles());
    assertThat(c.deadLetters()).isEmpty();

    List<SnapshotManifest> manifests = manifests(c);
    for (int i = 0; i < manifests.size(); i++) {
      assertThat(manifests.get(i).getVersion()).as("versions are consecutive").isEqualTo(i + 1);
    }
    SnapshotManifest last = manifests.get(manifests.size() - 1);
    assertThat(manifests.stream().mapToLong(SnapshotManifest::getNewInteractions).sum())
        .as("every interaction is new in exactly one version").isEqualTo(last.getInteractions());
    assertThat(last.getInteractions()).isEqualTo(n);
    assertSnapshotExact(Path.of(last.getPath()), w);
  }

  private static void publish(Cluster c, Workload w, int from, int to) {
    for (int k = from; k < to; k++) {
      c.interaction(w.interactions.get(k));
    }
    c.flush();
  }

  private static List<SnapshotManifest> manifests(Cluster c) {
    AvroDeserializer<SnapshotManifest> d = new AvroDeserializer<>(SnapshotManifest.class);
    d.configure(Map.of("schema.registry.url", runtime.schemaRegistryUrl()), false);
    List<SnapshotManifest> out = new ArrayList<>();
    c.readAll(Topics.SNAPSHOTS).forEach(r -> out.add(d.deserialize(Topics.SNAPSHOTS, r.value())));
    return out;
  }

  private static SnapshotManifest latestManifest(Cluster c) {
    List<SnapshotManifest> all = manifests(c);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  private static boolean covered(SnapshotManifest m, Map<org.apache.kafka.common.TopicPartition, Long> ends) {
    if (m == null) {
      return false;
    }
    // offsets also lists the items topic's position (where the features were copied): not the cut.
    List<TopicOffset> cut = m.getOffsets().stream().filter(o -> o.getTopic().toString().equals(Topics.INTERACTIONS))
        .toList();
    for (TopicOffset o : cut) {
      if (o.getEndOffset() != ends.get(new org.apache.kafka.common.TopicPartition(Topics.INTERACTIONS,
          o.getPartition()))) {
        return false;
      }
    }
    return cut.size() == ends.size();
  }

  /** The snapshot's users, degrees, profile matrices and item degrees against the from-scratch answer. */
  static void assertSnapshotExact(Path v, Workload w) throws IOException {
    List<String> users = Files.readAllLines(v.resolve("users.tsv"));
    users = users.subList(1, users.size());
    assertThat(users).hasSize(w.users.size());
    List<double[]> matrices = new ArrayList<>();
    for (String m : List.of("image", "audio")) {
      byte[] b = Files.readAllBytes(v.resolve("user_profile_" + m + ".npy"));
      double[] d = new double[(b.length - 128) / 8];
      ByteBuffer.wrap(b, 128, b.length - 128).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
      matrices.add(d);
    }
    int[] dims = {16, 8};
    for (int row = 0; row < users.size(); row++) {
      String[] f = users.get(row).split("\t");
      Workload.ExpectedUser x = w.users.get(f[0]);
      assertThat(Long.parseLong(f[1])).as("degree of %s", f[0]).isEqualTo(x.degree());
      for (int m = 0; m < 2; m++) {
        double[] got = Arrays.copyOfRange(matrices.get(m), row * dims[m], (row + 1) * dims[m]);
        assertThat(got).as("sums of %s", f[0]).containsExactly(x.sums[m]);
      }
    }
    Map<String, long[]> items = new HashMap<>();
    List<String> itemLines = Files.readAllLines(v.resolve("items.tsv"));
    for (String line : itemLines.subList(1, itemLines.size())) {
      String[] f = line.split("\t");
      long[] cnt = {Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6])};
      if (Arrays.stream(cnt).sum() > 0) {
        items.put(f[0], cnt);
      }
    }
    assertThat(Instances.sameDegrees(items, w.itemDegrees)).as("item degrees in items.tsv").isTrue();
  }
}
