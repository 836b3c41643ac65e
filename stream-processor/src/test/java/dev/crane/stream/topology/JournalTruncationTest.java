package dev.crane.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.CheckpointCodec;
import dev.crane.stream.codec.CountsCodec;
import dev.crane.stream.codec.JournalBlock;
import dev.crane.stream.codec.JournalLine;
import dev.crane.stream.codec.PartitionMeta;
import dev.crane.stream.config.Names;
import dev.crane.stream.journal.JournalStore;
import dev.crane.stream.testing.Driver;
import dev.crane.stream.testing.Records;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile checkpoint at a snapshot cut and the journal truncation below it, on the real topology. */
class JournalTruncationTest {
  @TempDir Path dir;

  static List<Long> journalKeys(Driver d) {
    List<Long> keys = new ArrayList<>();
    ((JournalStore) d.ttd.getStateStore(Names.JOURNAL_STORE)).forEach((seq, entry) -> keys.add(seq));
    return keys;
  }

  static PartitionMeta meta(Driver d) {
    return PartitionMeta.decode(d.store(Names.META_STORE).get(MetaStore.KEY));
  }

  private static void sendThree(Driver d, String prefix) {
    d.send(Records.interaction(prefix + "1", "u1", "i1", 1000, Split.TRAIN));
    d.send(Records.interaction(prefix + "2", "u2", "i2", 2000, Split.VALID));
    d.send(Records.interaction(prefix + "3", "u1", "i2", 3000, null));
  }

  /** Two items, three interactions, and the cut of the first snapshot (61 s later). */
  private static void threeThenCut(Driver d) {
    d.item("i1");
    d.item("i2");
    sendThree(d, "a");
    cut(d);
  }

  private static void cut(Driver d) {
    d.advance(Duration.ofSeconds(61));
    d.awaitManifest();
  }

  /**
   * The journal holds a commit's entries in memory; Kafka Streams' call before each commit writes
   * them as one block, so they reach the changelog in the transaction of their input (the driver
   * commits after every input record). Without that call nothing would reach it until a read.
   */
  @Test
  void eachCommitWritesItsEntriesToTheChangelogAsOneBlock() {
    try (Driver d = new Driver(dir, Map.of())) {
      d.item("i1");
      d.item("i2");
      var changelog = d.ttd.createOutputTopic("ttd-" + Names.JOURNAL_STORE + "-changelog",
          new org.apache.kafka.common.serialization.LongDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      sendThree(d, "a");
      var written = changelog.readKeyValuesToList();
      assertThat(written).extracting(kv -> kv.key).containsExactly(0L, 1L, 2L);
      assertThat(written).allSatisfy(kv -> assertThat(JournalBlock.count(kv.value)).isEqualTo(1));
      assertThat(JournalLine.parse(JournalBlock.last(written.get(2).value)).user()).isEqualTo("u1");
    }
  }

  @Test
  void aCutCheckpointsTheProfilesAndLeavesOnlyTheJournalAboveTheCheckpoint() {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "item-degree.flush.interval.ms", "1000"))) {
      d.item("i1");
      d.item("i2");
      sendThree(d, "a");
      assertThat(journalKeys(d)).containsExactly(0L, 1L, 2L);
      cut(d);

      PartitionMeta m = meta(d);
      assertThat(m.checkpointSeq).isEqualTo(3);
      assertThat(m.journalFrom).isEqualTo(3);
      assertThat(journalKeys(d)).as("nothing below the checkpoint").isEmpty();
      KeyValueStore<String, byte[]> checkpoint = d.store(Names.CHECKPOINT_STORE);
      for (String u : List.of("u1", "u2")) {
        CheckpointCodec.UserState s = CheckpointCodec.decode(checkpoint.get(u));
        assertThat(s.profile()).as("checkpoint of %s, bitwise", u).isEqualTo(d.profile(u));
        assertThat(s.history()).isEqualTo(d.store(Names.HISTORY_STORE).get(u));
      }

      sendThree(d, "b");
      assertThat(journalKeys(d)).as("entries above the checkpoint are kept").containsExactly(3L, 4L, 5L);
      assertThat(CheckpointCodec.decode(checkpoint.get("u1")).profile()).as("the checkpoint moves only at a cut")
          .isNotEqualTo(d.profile("u1"));
      cut(d);
      assertThat(journalKeys(d)).isEmpty();
      assertThat(CheckpointCodec.decode(checkpoint.get("u1")).profile()).isEqualTo(d.profile("u1"));
    }
  }

  @Test
  void withTheUserCacheEachCutCheckpointsTheUsersChangedSinceThePreviousOne() {
    // The service's default: entries stay in memory and mark themselves changed since the checkpoint.
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "item-degree.flush.interval.ms", "1000",
        "users.cache.bytes", "65536"))) {
      threeThenCut(d);
      KeyValueStore<String, byte[]> checkpoint = d.store(Names.CHECKPOINT_STORE);
      byte[] first = CheckpointCodec.decode(checkpoint.get("u1")).profile();
      assertThat(first).as("a cut writes the cache back before it reads the profiles").isEqualTo(d.profile("u1"));
      d.send(Records.interaction("b1", "u1", "i1", 4000, Split.TRAIN));
      cut(d);
      byte[] second = CheckpointCodec.decode(checkpoint.get("u1")).profile();
      assertThat(second).as("u1 changed again after the first cut").isNotEqualTo(first).isEqualTo(d.profile("u1"));
      assertThat(journalKeys(d)).isEmpty();
    }
  }

  @Test
  void theItemDegreeWatermarkHoldsTruncationBackUntilTheIncrementsAreSent() {
    // The cut comes at 61 s, the first item-degree flush at 90 s.
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "item-degree.flush.interval.ms", "90000"))) {
      threeThenCut(d);
      PartitionMeta m = meta(d);
      assertThat(m.checkpointSeq).isEqualTo(3);
      assertThat(m.deltaSeq).isZero();
      assertThat(journalKeys(d)).as("increments not sent yet: their entries stay").containsExactly(0L, 1L, 2L);
      assertThat(d.store(Names.ITEM_STATS_STORE).get("i2")).isNull();

      d.advance(Duration.ofSeconds(30)); // the flush sends the increments, then truncates
      assertThat(meta(d).deltaSeq).isEqualTo(3);
      assertThat(journalKeys(d)).isEmpty();
      assertThat(CountsCodec.total(d.store(Names.ITEM_STATS_STORE).get("i2"))).isEqualTo(2);
    }
  }

  @Test
  void withCheckpointsOffTheWholeJournalIsKept() {
    try (Driver d = new Driver(dir, Map.of("snapshot.interval.ms", "60000", "journal.checkpoint", "false"))) {
      threeThenCut(d);
      assertThat(meta(d).checkpointSeq).isZero();
      assertThat(journalKeys(d)).containsExactly(0L, 1L, 2L);
      assertThat(d.store(Names.CHECKPOINT_STORE).get("u1")).isNull();
    }
  }
}
