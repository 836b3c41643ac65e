package dev.crane.stream.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.SnapshotManifest;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.stream.codec.ItemPositions;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.testing.Driver;
import dev.crane.stream.testing.Records;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot cut, assembly and manifest on the real topology (coordinator and task in one driver). */
class SnapshotTopologyTest {
  @TempDir Path dir;

  static List<String> lines(Path f) throws IOException {
    return Files.readAllLines(f);
  }

  static double[] npyDoubles(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    ByteBuffer buf = ByteBuffer.wrap(b, Npy.HEADER_BYTES, b.length - Npy.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[buf.remaining() / 8];
    buf.asDoubleBuffer().get(out);
    return out;
  }

  /** The manifest record's interactions cut (its offsets also hold the items topic's position). */
  static List<TopicOffset> cut(SnapshotManifest m) {
    return m.getOffsets().stream().filter(o -> o.getTopic().toString().equals(Topics.INTERACTIONS)).toList();
  }

  @Test
  void timeTriggeredSnapshotsAreCompleteConsistentAndIncremental() throws IOException {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000"))) {
      for (String i : List.of("i1", "i2", "i3")) {
        d.item(i);
      }
      d.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "i2", 2000, Split.VALID));
      d.send(Records.interaction("e3", "u2", "i2", 3000, null));
      d.advance(Duration.ofSeconds(59));
      assertThat(d.manifests.isEmpty()).as("not due yet").isTrue();
      d.advance(Duration.ofSeconds(2));
      SnapshotManifest m1 = d.awaitManifest();

      assertThat(m1.getVersion()).isEqualTo(1);
      assertThat(m1.getPreviousVersion()).isNull();
      assertThat(m1.getUsers()).isEqualTo(2);
      assertThat(m1.getItems()).isEqualTo(3);
      assertThat(m1.getInteractions()).isEqualTo(3);
      assertThat(m1.getNewInteractions()).isEqualTo(3);
      assertThat(cut(m1)).singleElement().satisfies(o -> {
        assertThat(o.getPartition()).isZero();
        assertThat(o.getEndOffset()).isEqualTo(3);
      });
      Path v1 = Path.of(m1.getPath());
      assertThat(v1.getFileName().toString()).isEqualTo("v00000001");
      assertThat(dir.resolve("snapshots/.parts/v1")).as("kept while v1's manifest may still be rolled back")
          .isDirectory();
      assertThat(lines(v1.resolve("interactions.tsv"))).containsExactly(
          "user_id\titem_id\ttimestamp\tx_label\tweight\tversion",
          "u1\ti1\t1000\t0\t\t1", "u1\ti2\t2000\t1\t\t1", "u2\ti2\t3000\t-1\t\t1");
      assertThat(lines(v1.resolve("users.tsv"))).containsExactly(SnapshotAssembler.USERS_HEADER.strip(),
          "u1\t1\t2\t1\t1\t0\t0\t2000", "u2\t1\t1\t0\t0\t0\t1\t3000");
      // The profile matrix holds the stores' sums, bitwise, row-aligned with users.tsv.
      ProfileCodec codec = new ProfileCodec(d.config.modalities());
      double[] image = npyDoubles(v1.resolve("user_profile_image.npy"));
      double[] u1 = codec.sums(d.profile("u1"), 0);
      double[] u2 = codec.sums(d.profile("u2"), 0);
      assertThat(java.util.Arrays.copyOfRange(image, 0, 4)).containsExactly(u1);
      assertThat(java.util.Arrays.copyOfRange(image, 4, 8)).containsExactly(u2);
      assertThat(lines(v1.resolve("items.tsv"))).contains("i2\t1\t2\t0\t1\t0\t1", "i3\t0\t0\t0\t0\t0\t0");
      assertThat(Files.size(v1.resolve("image_feat.npy"))).isEqualTo(Npy.HEADER_BYTES + 3 * 4 * 4);
      JsonNode manifest = new ObjectMapper().readTree(v1.resolve("manifest.json").toFile());
      assertThat(manifest.get("version").asLong()).isEqualTo(1);
      assertThat(manifest.get("files").get("interactions.tsv").asText())
          .isEqualTo(SnapshotAssembler.sha256(v1.resolve("interactions.tsv")));
      assertThat(m1.getFiles()).containsKeys("interactions.tsv", "users.tsv", "user_profile_image.npy",
          "user_profile_audio.npy", "image_feat.npy", "audio_feat.npy", "items.tsv", "manifest.json");

      // Nothing new (no interaction, no item record): the timer passes twice without a snapshot.
      d.advance(Duration.ofSeconds(130));
      assertThat(d.manifests.isEmpty()).as("no interaction since v1: no time-triggered snapshot").isTrue();

      // Second version: only the new interactions carry version 2; v1 stays as it was.
      d.send(Records.interaction("e4", "u3", "i3", 4000, Split.TRAIN));
      d.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN)); // duplicate: not new
      d.send(Records.interaction("e5", "u1", "i3", 5000, Split.TEST));
      d.advance(Duration.ofSeconds(61));
      SnapshotManifest m2 = d.awaitManifest();
      assertThat(m2.getVersion()).isEqualTo(2);
      assertThat(m2.getPreviousVersion()).isEqualTo(1);
      assertThat(m2.getInteractions()).isEqualTo(5);
      assertThat(m2.getNewInteractions()).isEqualTo(2);
      assertThat(m2.getUsers()).isEqualTo(3);
      assertThat(cut(m2).get(0).getEndOffset()).isEqualTo(6);
      Path v2 = Path.of(m2.getPath());
      assertThat(lines(v2.resolve("interactions.tsv"))).filteredOn(l -> l.endsWith("\t2"))
          .containsExactly("u3\ti3\t4000\t0\t\t2", "u1\ti3\t5000\t2\t\t2");
      assertThat(lines(v1.resolve("interactions.tsv"))).hasSize(4);
      assertThat(dir.resolve("snapshots/.parts/v1")).doesNotExist();
      assertThat(dir.resolve("snapshots/.parts/v2")).isDirectory();
      try (var s = Files.list(dir.resolve("snapshots"))) {
        assertThat(s.map(p -> p.getFileName().toString())).doesNotContain(".tmp-v00000002");
      }
    }
  }

  @Test
  void manyNewInteractionsTriggerASnapshotWithoutATimer() {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "0", "snapshot.every.interactions", "3"))) {
      d.item("i1");
      d.send(Records.interaction("e1", "u1", "i1", 1, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "i1", 1, Split.TRAIN));
      d.advance(Duration.ofSeconds(5));
      assertThat(d.manifests.isEmpty()).isTrue();
      d.send(Records.interaction("e3", "u2", "i1", 1, Split.TRAIN));
      SnapshotManifest m = d.awaitManifest();
      assertThat(m.getInteractions()).isEqualTo(3);
    }
  }

  @Test
  void heldInteractionsAreCoveredByTheOffsetsAndCountedAsPendingNotAsInteractions() throws IOException {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "unknown-item.hold.ms", "600000"))) {
      d.item("i1");
      d.send(Records.interaction("e1", "u1", "i1", 1, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "not-yet", 1, Split.TRAIN));
      d.advance(Duration.ofSeconds(61));
      SnapshotManifest m = d.awaitManifest();
      assertThat(m.getInteractions()).isEqualTo(1);
      assertThat(cut(m).get(0).getEndOffset()).isEqualTo(2);
      JsonNode manifest = new ObjectMapper().readTree(Path.of(m.getPath()).resolve("manifest.json").toFile());
      assertThat(manifest.get("counts").get("pending").asLong()).isEqualTo(1);
    }
  }

  /**
   * An interaction held for its item, whose item arrives before the cut, is in the cut even when the
   * hold check has not run since: the snapshot's items include that item, so its interactions must be
   * in too (a trainer that waited for the input to be consumed would otherwise miss it).
   */
  @Test
  void aHeldInteractionWhoseItemArrivedBeforeTheCutIsInTheCut() throws IOException {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "unknown-item.hold.ms", "3600000",
        "unknown-item.check.interval.ms", "600000"))) {
      d.item("i1");
      d.send(Records.interaction("e1", "u1", "i1", 1, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "late", 2, Split.TRAIN));
      d.item("late"); // arrives after the interaction; the hold check is 10 minutes away
      d.advance(Duration.ofSeconds(61));
      SnapshotManifest m = d.awaitManifest();
      assertThat(m.getInteractions()).isEqualTo(2);
      assertThat(lines(Path.of(m.getPath()).resolve("interactions.tsv"))).contains("u1\tlate\t2\t0\t\t1");
      JsonNode manifest = new ObjectMapper().readTree(Path.of(m.getPath()).resolve("manifest.json").toFile());
      assertThat(manifest.get("counts").get("pending").asLong()).isZero();
    }
  }

  /**
   * A held interaction released by a requested cut belongs to that cut: the partition, which had reported nothing
   * new since the last cut, must not report it as new afterwards (an empty version would follow).
   */
  @Test
  void aHeldInteractionReleasedByARequestedCutDoesNotLeadToAnEmptyVersion() {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "unknown-item.hold.ms", "3600000",
        "unknown-item.check.interval.ms", "600000"))) {
      d.item("i1");
      d.send(Records.interaction("e1", "u1", "i1", 1, Split.TRAIN));
      d.advance(Duration.ofSeconds(61));
      assertThat(d.awaitManifest().getVersion()).isEqualTo(1);
      d.send(Records.interaction("e2", "u1", "late", 2, Split.TRAIN)); // held: nothing new accepted
      d.item("late");
      d.ttd.createInputTopic(dev.crane.stream.config.AppTopics.partsTopic(d.config.applicationId()),
          new org.apache.kafka.common.serialization.StringSerializer(),
          new org.apache.kafka.common.serialization.StringSerializer())
          .pipeInput("want-request", SnapshotMessages.want(-1, 0), d.now()); // as StreamProcessorApp.requestSnapshot
      SnapshotManifest m2 = d.awaitManifest();
      assertThat(m2.getVersion()).isEqualTo(2);
      assertThat(m2.getNewInteractions()).isEqualTo(1);
      d.advance(Duration.ofSeconds(130)); // past the interval; then time for an assembly to finish
      org.assertj.core.api.Assertions.assertThatThrownBy(d::awaitManifest).as("nothing new since v2: no snapshot")
          .hasMessageContaining("no manifest");
    }
  }

  @Test
  void manifestsGiveTheItemsPositionTheFeaturesCoverAndPositionKeysAreNeverItems() throws IOException {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000"))) {
      d.item("i1"); // items offset 0
      d.item("i2"); // 1
      // Offset 2 is keyed like the store's position key: not an item, and it must not move the position.
      d.items.pipeInput(ItemPositions.key(0), d.records.bytes(Topics.ITEMS, Records.item("i9", d.config.modalities())),
          d.now());
      d.item("i3"); // 3
      d.send(Records.interaction("e1", "u1", ItemPositions.key(0), 1, Split.TRAIN)); // dead-lettered, not a lookup
      d.send(Records.interaction("e2", "u1", "i1", 2, Split.TRAIN));
      d.advance(Duration.ofSeconds(61));
      SnapshotManifest m1 = d.awaitManifest();
      assertItems(m1, 4, "i1", "i2", "i3");
      assertThat(d.metrics.deadLetterCount(dev.crane.stream.deadletter.Reason.INVALID)).isEqualTo(1);
      assertThat(m1.getInteractions()).isEqualTo(1);
      assertThat(lines(Path.of(m1.getPath()).resolve("users.tsv"))).contains("u1\t1\t1\t1\t0\t0\t0\t2");

      d.item("i4"); // 4
      d.items.pipeInput("i2", null, d.now()); // 5: deleted
      d.item("i1"); // 6: replaced
      d.advance(Duration.ofSeconds(61));
      assertItems(d.awaitManifest(), 7, "i1", "i3", "i4");
    }
  }

  /** One items partition (the driver's), whose end offset is last applied + 1; exactly these items, no position key. */
  private static void assertItems(SnapshotManifest m, long itemsEnd, String... items) throws IOException {
    assertThat(m.getOffsets()).filteredOn(o -> o.getTopic().toString().equals(Topics.ITEMS))
        .singleElement().satisfies(o -> {
          assertThat(o.getPartition()).isZero();
          assertThat(o.getEndOffset()).isEqualTo(itemsEnd);
        });
    Path v = Path.of(m.getPath());
    JsonNode json = new ObjectMapper().readTree(v.resolve("manifest.json").toFile());
    assertThat(json.get("formatVersion").asInt()).isEqualTo(1);
    assertThat(json.get("itemInputs").toString())
        .isEqualTo("[{\"topic\":\"items\",\"partition\":0,\"endOffset\":" + itemsEnd + "}]");
    assertThat(m.getItems()).isEqualTo(items.length);
    assertThat(json.get("counts").get("items").asLong()).isEqualTo(items.length);
    assertThat(lines(v.resolve("items.tsv")).stream().skip(1).map(l -> l.substring(0, l.indexOf('\t'))))
        .containsExactlyInAnyOrder(items);
    assertThat(Files.size(v.resolve("image_feat.npy"))).isEqualTo(Npy.HEADER_BYTES + items.length * 4 * 4);
    assertThat(Files.size(v.resolve("audio_feat.npy"))).isEqualTo(Npy.HEADER_BYTES + items.length * 3 * 4);
  }
}
