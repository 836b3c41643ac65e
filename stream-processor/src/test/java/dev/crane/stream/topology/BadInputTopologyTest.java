package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.PendingCodec;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.config.Names;
import dev.crane.stream.deadletter.DeadLetters;
import dev.crane.stream.deadletter.Reason;
import dev.crane.stream.testing.Driver;
import dev.crane.stream.testing.Records;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each class of bad or awkward input: where it goes, with which reason, and that the stream goes on. */
class BadInputTopologyTest {
  @TempDir Path dir;

  private static String reason(TestRecord<byte[], byte[]> r) {
    return DeadLetters.header(r.headers(), DeadLetters.REASON);
  }

  /** After any bad record, a good one is still counted: the application did not stop. */
  private static void assertStillProcessing(Driver d) {
    d.item("ok-item");
    d.send(Records.interaction("ok-" + System.nanoTime(), "ok-user", "ok-item", 1, Split.TRAIN));
    assertThat(d.profile("ok-user")).isNotNull();
  }

  @Test
  void malformedBytesAreDeadLetteredWithReasonAndSourceOffset() {
    try (Driver d = new Driver(dir, Map.of())) {
      d.item("i1");
      d.send(Records.interaction("e0", "u1", "i1", 1, Split.TRAIN)); // offset 0
      byte[] junk = {7, 1, 2, 3, 4, 5, 6};
      d.sendRaw(Records.utf8("u1"), junk); // offset 1: bad magic byte
      byte[] good = d.records.bytes(Topics.INTERACTIONS, Records.interaction("e2", "u1", "i1", 1, Split.TRAIN));
      d.sendRaw(Records.utf8("u1"), Arrays.copyOf(good, good.length - 3)); // offset 2: truncated
      d.sendRaw(Records.utf8("u1"), null); // offset 3: tombstone
      List<TestRecord<byte[], byte[]>> dlq = d.drainDeadLetters();
      assertThat(dlq).extracting(BadInputTopologyTest::reason)
          .containsExactly("malformed", "malformed", "malformed");
      TestRecord<byte[], byte[]> first = dlq.get(0);
      assertThat(first.value()).as("original bytes, untouched").isEqualTo(junk);
      assertThat(first.key()).isEqualTo(Records.utf8("u1"));
      assertThat(DeadLetters.header(first.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
      assertThat(DeadLetters.header(first.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(Topics.INTERACTIONS);
      assertThat(DeadLetters.header(first.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
      assertThat(DeadLetters.header(first.headers(), DeadLetters.DETAIL)).contains("magic byte");
      assertThat(DeadLetters.header(dlq.get(1).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("2");
      assertThat(d.metrics.deadLetterCount(Reason.MALFORMED)).isEqualTo(3);
      assertThat(new ProfileCodec(d.config.modalities()).degree(d.profile("u1"))).isEqualTo(1);
      assertStillProcessing(d);
    }
  }

  @Test
  void unknownSchemaIdIsDeadLettered() {
    try (Driver d = new Driver(dir, Map.of())) {
      byte[] good = d.records.bytes(Topics.INTERACTIONS, Records.interaction("e1", "u1", "i1", 1, Split.TRAIN));
      byte[] unknownId = good.clone();
      unknownId[1] = 0x7f; // schema id 0x7fxxxxxx: never registered
      d.sendRaw(Records.utf8("u1"), unknownId);
      List<TestRecord<byte[], byte[]>> dlq = d.drainDeadLetters();
      assertThat(dlq).extracting(BadInputTopologyTest::reason).containsExactly("unknown-schema-id");
      assertThat(d.metrics.deadLetterCount(Reason.UNKNOWN_SCHEMA)).isEqualTo(1);
      assertStillProcessing(d);
    }
  }

  @Test
  void invalidFieldsAndAKeyThatIsNotTheUserAreDeadLettered() {
    try (Driver d = new Driver(dir, Map.of())) {
      d.item("i1");
      Interaction ok = Records.interaction("e1", "u1", "i1", 1, Split.TRAIN);
      d.sendRaw(Records.utf8("someone-else"), d.records.bytes(Topics.INTERACTIONS, ok));
      d.send(Records.interaction("e2", "", "i1", 1, Split.TRAIN));
      Interaction nanWeight = Records.interaction("e3", "u1", "i1", 1, Split.TRAIN);
      nanWeight.setWeight(Float.NaN);
      d.send(nanWeight);
      d.send(Records.interaction("e4", "u\t1", "i1", 1, Split.TRAIN));
      d.send(Records.interaction("e5".repeat(600), "u1", "i1", 1, Split.TRAIN)); // 1,200 characters
      List<TestRecord<byte[], byte[]>> dlq = d.drainDeadLetters();
      assertThat(dlq).extracting(BadInputTopologyTest::reason).containsOnly("invalid-record").hasSize(5);
      assertThat(DeadLetters.header(dlq.get(0).headers(), DeadLetters.DETAIL)).contains("differs from userId");
      assertThat(DeadLetters.header(dlq.get(4).headers(), DeadLetters.DETAIL)).contains("longer than 1000 characters");
      assertThat(d.profile("u1")).isNull();
      assertStillProcessing(d);
    }
  }

  @Test
  void unknownItemIsHeldThenCountedWhenItsFeaturesArrive() {
    try (Driver d = new Driver(dir, Map.of("unknown-item.hold.ms", "60000", "unknown-item.check.interval.ms", "1000"))) {
      d.send(Records.interaction("e1", "u1", "late-item", 1, Split.TRAIN));
      assertThat(d.profile("u1")).isNull();
      assertThat(d.store(Names.PENDING_STORE).approximateNumEntries()).isEqualTo(1);
      d.advance(Duration.ofSeconds(5));
      assertThat(d.profile("u1")).as("still waiting").isNull();
      d.item("late-item");
      d.advance(Duration.ofSeconds(1));
      byte[] p = d.profile("u1");
      assertThat(new ProfileCodec(d.config.modalities()).degree(p)).isEqualTo(1);
      assertThat(new ProfileCodec(d.config.modalities()).sums(p, 0))
          .containsExactly(ProfileTopologyTest.expectedSum(List.of("late-item"), 0, 4));
      assertThat(d.store(Names.PENDING_STORE).approximateNumEntries()).isZero();
      assertThat(d.drainDeadLetters()).isEmpty();
    }
  }

  /** A held record that no longer decodes when its item arrives (the registry lost its schema) is dead-lettered. */
  @Test
  void aHeldRecordThatNoLongerDecodesIsDeadLetteredWhenItsItemArrives() {
    try (Driver d = new Driver(dir, Map.of("unknown-item.hold.ms", "60000", "unknown-item.check.interval.ms", "1000"))) {
      d.send(Records.interaction("e1", "u1", "late-item", 1, Split.TRAIN));
      var pending = d.store(Names.PENDING_STORE);
      List<KeyValue<String, byte[]>> held = new ArrayList<>();
      try (var it = pending.all()) {
        it.forEachRemaining(held::add);
      }
      assertThat(held).hasSize(1);
      PendingCodec.Held h = PendingCodec.decode(held.get(0).value);
      byte[] lost = h.value().clone();
      lost[1] = 0x7f; // its schema id now unknown to the registry
      pending.put(held.get(0).key, PendingCodec.encode(new PendingCodec.Held(h.source(), h.arrivedAtMs(), h.key(), lost)));
      d.item("late-item");
      d.advance(Duration.ofSeconds(1));
      assertThat(d.drainDeadLetters()).extracting(BadInputTopologyTest::reason).containsExactly("unknown-schema-id");
      assertThat(d.profile("u1")).isNull();
      assertThat(pending.approximateNumEntries()).isZero();
      assertStillProcessing(d);
    }
  }

  @Test
  void unknownItemIsDeadLetteredAfterTheHoldTime() {
    try (Driver d = new Driver(dir, Map.of("unknown-item.hold.ms", "10000", "unknown-item.check.interval.ms", "1000"))) {
      d.send(Records.interaction("e1", "u1", "never", 1, Split.TRAIN));
      d.advance(Duration.ofSeconds(5));
      assertThat(d.drainDeadLetters()).isEmpty();
      d.advance(Duration.ofSeconds(6));
      List<TestRecord<byte[], byte[]>> dlq = d.drainDeadLetters();
      assertThat(dlq).extracting(BadInputTopologyTest::reason).containsExactly("unknown-item");
      assertThat(DeadLetters.header(dlq.get(0).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
      d.item("never");
      d.advance(Duration.ofSeconds(2));
      assertThat(d.profile("u1")).as("a dead-lettered record is not counted later").isNull();
      assertStillProcessing(d);
    }
  }

  @Test
  void wrongDimensionAndMissingModalityAreDeadLettered() {
    try (Driver d = new Driver(dir, Map.of())) {
      float[] five = {1, 2, 3, 4, 5};
      d.item(new ItemFeatures("wide", List.of(Vectors.floatVector("image", five, 0, 5),
          Vectors.floatVector("audio", five, 0, 3)), Instant.EPOCH));
      d.item(new ItemFeatures("half", List.of(Vectors.floatVector("image", five, 0, 4)), Instant.EPOCH));
      d.send(Records.interaction("e1", "u1", "wide", 1, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "half", 1, Split.TRAIN));
      List<TestRecord<byte[], byte[]>> dlq = d.drainDeadLetters();
      assertThat(dlq).extracting(BadInputTopologyTest::reason).containsExactly("wrong-dimension", "wrong-dimension");
      assertThat(DeadLetters.header(dlq.get(0).headers(), DeadLetters.DETAIL)).contains("dim 5").contains("expected dim 4");
      assertThat(DeadLetters.header(dlq.get(1).headers(), DeadLetters.DETAIL)).contains("no 'audio'");
      assertThat(d.profile("u1")).isNull();
      assertStillProcessing(d);
    }
  }

  @Test
  void nanOrInfFeaturesAreDeadLetteredAndLeaveTheProfileUntouched() {
    try (Driver d = new Driver(dir, Map.of())) {
      d.item("good");
      d.send(Records.interaction("e0", "u1", "good", 1, Split.TRAIN));
      byte[] before = d.profile("u1");
      float[] nan = {1, Float.NaN, 3, 4};
      float[] inf = {1, 2, Float.POSITIVE_INFINITY};
      d.item(new ItemFeatures("nan", List.of(Vectors.floatVector("image", nan, 0, 4),
          Vectors.floatVector("audio", nan, 0, 3)), Instant.EPOCH));
      d.item(new ItemFeatures("inf2", List.of(Vectors.floatVector("image", new float[] {1, 2, 3, 4}, 0, 4),
          Vectors.floatVector("audio", inf, 0, 3)), Instant.EPOCH));
      d.send(Records.interaction("e1", "u1", "nan", 1, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "inf2", 1, Split.TRAIN));
      List<TestRecord<byte[], byte[]>> dlq = d.drainDeadLetters();
      assertThat(dlq).extracting(BadInputTopologyTest::reason).containsExactly("non-finite", "non-finite");
      assertThat(d.profile("u1")).isEqualTo(before);
      assertThat(d.metrics.deadLetterCount(Reason.NON_FINITE)).isEqualTo(2);
      assertStillProcessing(d);
    }
  }

  @Test
  void anUndecodableItemRecordDeadLettersItsInteractions() {
    try (Driver d = new Driver(dir, Map.of())) {
      d.items.pipeInput("broken", new byte[] {0, 0, 0, 0}, d.now());
      d.send(Records.interaction("e1", "u1", "broken", 1, Split.TRAIN));
      assertThat(d.drainDeadLetters()).extracting(BadInputTopologyTest::reason).containsExactly("item-malformed");
      assertStillProcessing(d);
    }
  }

  @Test
  void duplicateEventIdsWithinTheWindowAreCountedOnce() {
    try (Driver d = new Driver(dir, Map.of("dedup.window.ms", "60000"))) {
      d.item("i1");
      Instant t = Driver.T0;
      d.send(Records.interaction("dup", "u1", "i1", 1, Split.TRAIN), t);
      d.send(Records.interaction("dup", "u1", "i1", 1, Split.TRAIN), t.plusSeconds(10));
      d.send(Records.interaction("dup", "u1", "i1", 1, Split.TRAIN), t.plusSeconds(59));
      d.send(Records.interaction("other", "u1", "i1", 1, Split.TRAIN), t.plusSeconds(59));
      ProfileCodec codec = new ProfileCodec(d.config.modalities());
      assertThat(codec.degree(d.profile("u1"))).isEqualTo(2);
      assertThat(codec.sums(d.profile("u1"), 0)).containsExactly(ProfileTopologyTest.expectedSum(List.of("i1", "i1"), 0, 4));
      assertThat(d.metrics.duplicateCount()).isEqualTo(2);
      assertThat(d.drainDeadLetters()).as("a duplicate is not a bad record").isEmpty();
      // Beyond the window the id is forgotten (documented): the window must exceed any replay gap.
      d.send(Records.interaction("dup", "u1", "i1", 1, Split.TRAIN), t.plusSeconds(600));
      assertThat(codec.degree(d.profile("u1"))).isEqualTo(3);
    }
  }

  /** Each user remembers its newest dedup.max.per.user ids: an older one counts again (documented). */
  @Test
  void eachUserRemembersItsNewestIdsUpToTheCap() {
    try (Driver d = new Driver(dir, Map.of("dedup.max.per.user", "2"))) {
      d.item("i1");
      for (String e : List.of("e1", "e2", "e3")) {
        d.send(Records.interaction(e, "u1", "i1", 1, Split.TRAIN));
      }
      d.send(Records.interaction("e1", "u2", "i1", 1, Split.TRAIN)); // another user's id space
      d.send(Records.interaction("e3", "u1", "i1", 1, Split.TRAIN));
      d.send(Records.interaction("e2", "u1", "i1", 1, Split.TRAIN));
      assertThat(d.metrics.duplicateCount()).isEqualTo(2);
      d.send(Records.interaction("e1", "u1", "i1", 1, Split.TRAIN));
      ProfileCodec codec = new ProfileCodec(d.config.modalities());
      assertThat(codec.degree(d.profile("u1"))).as("e1 was forgotten").isEqualTo(4);
      assertThat(codec.degree(d.profile("u2"))).isEqualTo(1);
    }
  }

  @Test
  void aDuplicateOfAHeldEventIsNotCountedWhenTheItemArrives() {
    try (Driver d = new Driver(dir, Map.of("unknown-item.check.interval.ms", "1000"))) {
      d.send(Records.interaction("e1", "u1", "later", 1, Split.TRAIN));
      d.send(Records.interaction("e1", "u1", "later", 1, Split.TRAIN));
      d.item("later");
      d.advance(Duration.ofSeconds(2));
      assertThat(new ProfileCodec(d.config.modalities()).degree(d.profile("u1"))).isEqualTo(1);
    }
  }

  @Test
  void registryOutageFailsTheRecordInsteadOfDeadLetteringIt() {
    // Bytes written through the real registry, read by a topology whose registry is down.
    try (Driver d = new Driver(dir, Map.of("registry.retry.ms", "500"), "http://127.0.0.1:9")) {
      Interaction in = Records.interaction("e1", "u1", "i1", 1, Split.TRAIN);
      assertThatThrownBy(() -> d.send(in))
          .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof RegistryUnavailableException));
      assertThat(d.drainDeadLetters()).isEmpty();
    }
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> out = new java.util.ArrayList<>();
    for (Throwable c = e; c != null; c = c.getCause()) {
      out.add(c);
    }
    return out;
  }
}
