package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.Split;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.stream.codec.CountsCodec;
import dev.crane.stream.codec.HistoryCodec;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.Names;
import dev.crane.stream.testing.Driver;
import dev.crane.stream.testing.Records;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Eq. 5 profiles, degrees, history and emission, on the real topology (TopologyTestDriver). */
class ProfileTopologyTest {
  @TempDir Path dir;

  /** The from-scratch Eq. 5 sum: float features added in double, in event order. */
  static double[] expectedSum(List<String> items, int m, int dim) {
    double[] s = new double[dim];
    for (String item : items) {
      float[] v = Records.vector(item, m, dim);
      for (int j = 0; j < dim; j++) {
        s[j] += v[j];
      }
    }
    return s;
  }

  @Test
  void sumsTrainingAndUnlabelledInteractionsOnlyButCountsEverySplit() {
    try (Driver d = new Driver(dir, Map.of())) {
      for (String i : List.of("i1", "i2", "i3")) {
        d.item(i);
      }
      d.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "i2", 2000, null));
      d.send(Records.interaction("e3", "u1", "i3", 3000, Split.VALID));
      d.send(Records.interaction("e4", "u1", "i3", 4000, Split.TEST));
      d.send(Records.interaction("e5", "u2", "i3", 5000, Split.TRAIN));

      ProfileCodec codec = new ProfileCodec(d.config.modalities());
      byte[] p1 = d.profile("u1");
      assertThat(codec.degree(p1)).isEqualTo(2);
      assertThat(codec.totalDegree(p1)).isEqualTo(4);
      assertThat(codec.count(p1, Split.VALID.ordinal())).isEqualTo(1);
      assertThat(codec.count(p1, Split.TEST.ordinal())).isEqualTo(1);
      assertThat(codec.count(p1, SplitCounts.NONE)).isEqualTo(1);
      // Bitwise: the same floats added in the same order in double.
      assertThat(codec.sums(p1, 0)).containsExactly(expectedSum(List.of("i1", "i2"), 0, 4));
      assertThat(codec.sums(p1, 1)).containsExactly(expectedSum(List.of("i1", "i2"), 1, 3));
      assertThat(codec.sums(d.profile("u2"), 0)).containsExactly(expectedSum(List.of("i3"), 0, 4));
      assertThat(codec.updatedAt(p1)).isEqualTo(4000);
      assertThat(d.drainDeadLetters()).isEmpty();
    }
  }

  @Test
  void emitsEveryUpdateWhenTheEmitIntervalIsZero() {
    try (Driver d = new Driver(dir, Map.of("profiles.emit.interval.ms", "0"))) {
      d.item("i1");
      d.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "i1", 2000, Split.TRAIN));
      List<UserProfile> out = d.profiles.readValuesToList();
      assertThat(out).extracting(UserProfile::getDegree).containsExactly(1L, 2L);
      UserProfile last = out.get(1);
      assertThat(last.getSums()).extracting(v -> v.getModality().toString()).containsExactly("image", "audio");
      assertThat(Vectors.doubles(last.getSums().get(0))).containsExactly(expectedSum(List.of("i1", "i1"), 0, 4));
    }
  }

  /** Write-through (the tests' default) and with the user cache (the service's default), whose entries mirror the dirty set. */
  @ParameterizedTest
  @ValueSource(strings = {"0", "65536"})
  void emitsOneUpdatePerUserPerIntervalWithTheLatestState(String userCacheBytes) {
    try (Driver d = new Driver(dir, Map.of("profiles.emit.interval.ms", "500", "users.cache.bytes", userCacheBytes))) {
      d.item("i1");
      d.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "i1", 2000, Split.TRAIN));
      d.send(Records.interaction("e3", "u2", "i1", 2000, Split.TRAIN));
      assertThat(d.profiles.isEmpty()).isTrue();
      d.advance(Duration.ofMillis(600));
      var out = d.profiles.readKeyValuesToMap();
      assertThat(out).containsOnlyKeys("u1", "u2");
      assertThat(out.get("u1").getDegree()).isEqualTo(2);
      d.advance(Duration.ofMillis(600));
      assertThat(d.profiles.isEmpty()).as("nothing changed, nothing emitted").isTrue();
      d.send(Records.interaction("e4", "u1", "i1", 3000, Split.TRAIN));
      d.advance(Duration.ofMillis(600));
      out = d.profiles.readKeyValuesToMap();
      assertThat(out).as("a user emitted before is emitted again when it changes again").containsOnlyKeys("u1");
      assertThat(out.get("u1").getDegree()).isEqualTo(3);
    }
  }

  @Test
  void itemDegreesArriveThroughTheItemPartitionAfterAFlush() {
    try (Driver d = new Driver(dir, Map.of("item-degree.flush.interval.ms", "1000"))) {
      d.item("i1");
      d.item("i2");
      d.send(Records.interaction("e1", "u1", "i1", 1000, Split.TRAIN));
      d.send(Records.interaction("e2", "u2", "i1", 1000, Split.TEST));
      d.send(Records.interaction("e3", "u2", "i2", 1000, null));
      assertThat(d.store(Names.ITEM_STATS_STORE).get("i1")).isNull();
      d.advance(Duration.ofMillis(1100));
      byte[] i1 = d.store(Names.ITEM_STATS_STORE).get("i1");
      assertThat(CountsCodec.get(i1, Split.TRAIN.ordinal())).isEqualTo(1);
      assertThat(CountsCodec.get(i1, Split.TEST.ordinal())).isEqualTo(1);
      assertThat(CountsCodec.total(d.store(Names.ITEM_STATS_STORE).get("i2"))).isEqualTo(1);
      d.send(Records.interaction("e4", "u3", "i1", 1000, Split.TRAIN));
      d.advance(Duration.ofMillis(1100));
      assertThat(CountsCodec.get(d.store(Names.ITEM_STATS_STORE).get("i1"), Split.TRAIN.ordinal())).isEqualTo(2);
    }
  }

  @Test
  void historyIsInEventTimeOrderAndBoundedByTheCap() {
    try (Driver d = new Driver(dir, Map.of("history.cap", "3"))) {
      for (String i : List.of("a", "b", "c", "d", "e")) {
        d.item(i);
      }
      d.send(Records.interaction("e1", "u1", "a", 5000, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "b", 1000, Split.TRAIN)); // late
      d.send(Records.interaction("e3", "u1", "c", 3000, Split.TRAIN));
      assertThat(HistoryCodec.decode(d.store(Names.HISTORY_STORE).get("u1")))
          .extracting(HistoryCodec.Entry::itemId).containsExactly("b", "c", "a");
      d.send(Records.interaction("e4", "u1", "d", 4000, Split.TRAIN)); // drops the oldest, b
      d.send(Records.interaction("e5", "u1", "e", 500, Split.TRAIN)); // older than all kept: not kept
      assertThat(HistoryCodec.decode(d.store(Names.HISTORY_STORE).get("u1")))
          .extracting(HistoryCodec.Entry::itemId).containsExactly("c", "d", "a");
      // ...but every event is still counted, late or not.
      assertThat(new ProfileCodec(d.config.modalities()).degree(d.profile("u1"))).isEqualTo(5);
    }
  }

  @Test
  void lateAndOutOfOrderEventsAreCountedOnceWithTheSameSumsAsInOrder() {
    List<String> items = List.of("a", "b", "c", "d");
    double[] inOrder;
    ProfileCodec codec;
    try (Driver d = new Driver(dir.resolve("1"), Map.of())) {
      items.forEach(d::item);
      for (int k = 0; k < 4; k++) {
        d.send(Records.interaction("e" + k, "u", items.get(k), 1000L * k, Split.TRAIN));
      }
      codec = new ProfileCodec(d.config.modalities());
      inOrder = codec.sums(d.profile("u"), 0);
    }
    try (Driver d = new Driver(dir.resolve("2"), Map.of())) {
      items.forEach(d::item);
      for (int k : new int[] {3, 1, 0, 2}) {
        d.send(Records.interaction("e" + k, "u", items.get(k), 1000L * k, Split.TRAIN));
      }
      byte[] p = d.profile("u");
      assertThat(codec.degree(p)).isEqualTo(4);
      assertThat(codec.updatedAt(p)).isEqualTo(3000);
      double[] sums = codec.sums(p, 0);
      for (int j = 0; j < sums.length; j++) {
        assertThat(sums[j]).isCloseTo(inOrder[j], org.assertj.core.data.Offset.offset(1e-9 * (1 + Math.abs(inOrder[j]))));
      }
    }
  }
}
