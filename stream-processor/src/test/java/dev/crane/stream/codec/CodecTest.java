package dev.crane.stream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.UserProfile;
import dev.crane.stream.deadletter.DeadLetters;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecTest {
  /** Every dimension, the unrolled ones and the remainder, is its own double sum of the float values in order. */
  @Test
  void profileSumsAddEachFloatInDoubleWhateverTheDimension() {
    ProfileCodec codec = new ProfileCodec(List.of(new Modality("a", 7), new Modality("b", 4)));
    byte[] profile = codec.empty();
    double[][] expected = new double[2][];
    for (int m = 0; m < 2; m++) {
      int dim = m == 0 ? 7 : 4;
      expected[m] = new double[dim];
      for (int event = 0; event < 3; event++) {
        byte[] src = new byte[3 + 4 * dim]; // an offset, as in an item's record
        for (int c = 0; c < dim; c++) {
          float v = (float) Math.sin(1 + event * 31 + c * 7 + m) * 1e3f;
          LE.FLOAT.set(src, 3 + 4 * c, v);
          expected[m][c] += v;
        }
        codec.add(profile, m, src, 3);
      }
      assertThat(codec.sums(profile, m)).containsExactly(expected[m]);
    }
    assertThatThrownBy(() -> codec.add(profile, 0, new byte[20], 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void profileSumsAreFloat64AndSurviveTheAvroRecord() {
    ProfileCodec c = new ProfileCodec(List.of(new Modality("a", 2), new Modality("b", 1)));
    byte[] p = c.empty();
    byte[] src = new byte[8];
    LE.FLOAT.set(src, 0, 0.1f);
    LE.FLOAT.set(src, 4, 1e30f);
    for (int i = 0; i < 3; i++) {
      c.add(p, 0, src, 0);
    }
    c.increment(p, 0);
    c.increment(p, SplitCounts.NONE);
    c.increment(p, 2);
    double s0 = 0;
    double s1 = 0;
    for (int i = 0; i < 3; i++) {
      s0 += 0.1f;
      s1 += 1e30f;
    }
    assertThat(c.sums(p, 0)).containsExactly(s0, s1);
    assertThat(s0).as("accumulated in double, not float").isNotEqualTo((double) (0.1f + 0.1f + 0.1f));
    assertThat(c.degree(p)).isEqualTo(2);
    assertThat(c.totalDegree(p)).isEqualTo(3);
    UserProfile avro = c.toAvro("u", p);
    assertThat(Vectors.doubles(avro.getSums().get(0))).containsExactly(c.sums(p, 0));
    assertThat(avro.getDegree()).isEqualTo(2);
  }

  @Test
  void aProfileStoredUnderOtherModalitiesIsRefused() {
    byte[] p = new ProfileCodec(List.of(new Modality("a", 2))).empty();
    assertThatThrownBy(() -> new ProfileCodec(List.of(new Modality("a", 3))).check(p, "u"))
        .hasMessageContaining("new application.id");
  }

  @Test
  void heldRecordsRoundTripWithTheirSource() {
    var h = new PendingCodec.Held(new DeadLetters.Source("interactions", 3, 42, 7), 99, null, new byte[] {1, 2});
    PendingCodec.Held back = PendingCodec.decode(PendingCodec.encode(h));
    assertThat(back.source()).isEqualTo(h.source());
    assertThat(back.key()).isNull();
    assertThat(back.value()).containsExactly(1, 2);
    assertThat(PendingCodec.itemOf(PendingCodec.storeKey("it\u00e9m", 3, 42))).isEqualTo("it\u00e9m");
    assertThat(PendingCodec.storeKey("a", 0, 9).compareTo(PendingCodec.storeKey("a", 0, 10))).isNegative();
  }

  @Test
  void historyKeepsTheNewestEntriesInOrder() {
    HistoryCodec h = new HistoryCodec(2);
    byte[] b = h.insert(null, "x", 10, 0);
    b = h.insert(b, "y", 5, 1);
    b = h.insert(b, "z", 7, 2);
    assertThat(HistoryCodec.decode(b)).containsExactly(new HistoryCodec.Entry("z", 7, 2),
        new HistoryCodec.Entry("x", 10, 0));
    b = h.insert(b, "w", 10, 3); // equal times keep arrival order
    assertThat(HistoryCodec.decode(b)).extracting(HistoryCodec.Entry::itemId).containsExactly("x", "w");
  }

  /**
   * The walk-free append for the newest event, and the in-place buffer (growing, then full and
   * shifting), give the bytes the walk on a fresh copy gives, full history or not.
   */
  @Test
  void historyAppendsTheNewestEventAsTheWalkWould() {
    HistoryCodec h = new HistoryCodec(5);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    byte[] walked = null;
    byte[] appended = null;
    HistoryCodec.Buffer inPlace = new HistoryCodec.Buffer();
    long latest = Long.MIN_VALUE;
    for (int e = 0; e < 40; e++) {
      long t = rng.nextInt(3) == 0 ? latest - rng.nextInt(5) : latest + rng.nextInt(3); // late ones and ties
      t = e == 0 ? 100 : t;
      String item = "item-" + "x".repeat(rng.nextInt(60)) + e; // entries of varied sizes: the buffer grows
      walked = h.insert(walked, item, t, e % 4);
      appended = h.insert(appended, item, t, e % 4, appended != null && t >= latest);
      h.insert(inPlace, item, t, e % 4, e > 0 && t >= latest);
      latest = Math.max(latest, t);
      assertThat(appended).as("after event %d", e).isEqualTo(walked);
      assertThat(inPlace.stored()).as("in place, after event %d", e).isEqualTo(walked);
      assertThat(HistoryCodec.Buffer.of(inPlace.stored()).stored()).isEqualTo(walked);
    }
    assertThat(inPlace.capacity()).isGreaterThanOrEqualTo(walked.length);
  }

  /** The entry's line is the interactions.tsv line the snapshot format defines, written without a String. */
  @Test
  void journalLinesAreTheTsvLineForAnyValues() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
    long[] edges = {0, 1, -1, 9, 10, -10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, 1_700_000_000_000L};
    for (int k = 0; k < 2_000; k++) {
      long t = k < edges.length ? edges[k] : rng.nextInt(4) == 0 ? rng.nextLong() : rng.nextLong(0, 4_000_000_000_000L);
      dev.crane.schemas.avro.Split split = rng.nextInt(4) == 0 ? null
          : dev.crane.schemas.avro.Split.values()[rng.nextInt(dev.crane.schemas.avro.Split.values().length)];
      Float w = rng.nextBoolean() ? null : (float) rng.nextDouble(-5, 5);
      String user = "u" + rng.nextInt(1000) + (k % 50 == 0 ? "é" : "");
      byte[] entry = JournalLine.encode(user, "i" + k, t, split, w, 3, 4, 5);
      int from = JournalLine.lineStart(entry);
      String expected = user + '\t' + "i" + k + '\t' + t + '\t' + SplitCounts.xLabel(split) + '\t' + (w == null ? "" : w);
      assertThat(new String(entry, from, entry.length - from, java.nio.charset.StandardCharsets.UTF_8))
          .as("event time %d", t).isEqualTo(expected);
    }
  }

  @Test
  void checkpointsJournalLinesAndMetaRoundTrip() {
    var s = CheckpointCodec.decode(CheckpointCodec.encode(new byte[] {1, 2, 3}, new byte[] {4}, null));
    assertThat(s.profile()).containsExactly(1, 2, 3);
    assertThat(s.history()).containsExactly(4);
    assertThat(s.seen()).isNull();
    assertThat(CheckpointCodec.decode(CheckpointCodec.encode(new byte[] {1}, null, null)).history()).isNull();

    byte[] entry = JournalLine.encode("u", "i", 42, null, 0.5f, 1_234_567_890_123L, -5L, 99L);
    JournalLine line = JournalLine.parse(entry);
    assertThat(line).isEqualTo(new JournalLine("u", "i", 42, null, -5L, 99L));
    assertThat(line.hasId()).isTrue();
    assertThat(line.slot()).isEqualTo(SplitCounts.NONE);
    assertThat(JournalLine.position(entry)).isEqualTo(1_234_567_890_123L);
    byte[] test = JournalLine.encode("u", "i", 42, dev.crane.schemas.avro.Split.TEST, null, 7, 1L, 2L);
    int from = JournalLine.lineStart(test);
    assertThat(new String(test, from, test.length - from, java.nio.charset.StandardCharsets.UTF_8))
        .as("the interactions.tsv columns").isEqualTo("u\ti\t42\t2\t");

    PartitionMeta m = new PartitionMeta();
    m.nextSeq = 9;
    m.deltaSeq = 7;
    m.checkpointSeq = 5;
    m.journalFrom = 4;
    PartitionMeta back = PartitionMeta.decode(m.encode());
    assertThat(back.checkpointSeq).isEqualTo(5);
    assertThat(back.journalFrom).isEqualTo(4);
    // the layouts written before checkpoints and before the format byte: LayoutsTest
  }
}
