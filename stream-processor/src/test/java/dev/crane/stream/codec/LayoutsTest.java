package dev.crane.stream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.stream.deadletter.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The changelogged values carry a format byte, and the layouts written before it still read. The
 * previous layouts are built here byte by byte, as the previous release wrote them, not through
 * the codecs.
 */
class LayoutsTest {
  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void partitionMetasOfEveryPreviousLayoutRead() {
    ByteBuffer v57 = le(57).putLong(100).putLong(9).putLong(4).putLong(2).put((byte) 1).putLong(7).putLong(5).putLong(3);
    PartitionMeta m = PartitionMeta.decode(v57.array());
    assertThat(new long[] {m.position, m.nextSeq, m.lastCutSeq, m.lastCutVersion, m.deltaSeq, m.checkpointSeq,
        m.journalFrom}).containsExactly(100, 9, 4, 2, 7, 5, 3);
    assertThat(m.cutRequested).isTrue();
    PartitionMeta m41 = PartitionMeta.decode(java.util.Arrays.copyOf(v57.array(), 41));
    assertThat(m41.deltaSeq).isEqualTo(7);
    assertThat(m41.checkpointSeq).as("before checkpoints").isZero();
    PartitionMeta m33 = PartitionMeta.decode(java.util.Arrays.copyOf(v57.array(), 33));
    assertThat(m33.nextSeq).isEqualTo(9);
    assertThat(m33.deltaSeq).as("before the item-degree watermark").isZero();

    byte[] now = m.encode();
    assertThat(now).hasSize(58);
    assertThat(now[0]).isEqualTo(PartitionMeta.FORMAT);
    PartitionMeta back = PartitionMeta.decode(now);
    assertThat(new long[] {back.position, back.nextSeq, back.lastCutSeq, back.lastCutVersion, back.deltaSeq,
        back.checkpointSeq, back.journalFrom}).containsExactly(100, 9, 4, 2, 7, 5, 3);
    assertThat(back.cutRequested).isTrue();

    byte[] newer = now.clone();
    newer[0] = 2;
    assertThatThrownBy(() -> PartitionMeta.decode(newer)).hasMessageContaining("partition meta")
        .hasMessageContaining("format byte 2").hasMessageContaining("newer release");
  }

  @Test
  void itemCountsOfThePreviousLayoutReadAndAreUpgradedByAnyWrite() {
    byte[] old = le(32).putLong(3).putLong(1).putLong(0).putLong(2).array();
    assertThat(CountsCodec.isCounts(old)).isTrue();
    assertThat(CountsCodec.get(old, 0)).isEqualTo(3);
    assertThat(CountsCodec.total(old)).isEqualTo(6);

    byte[] added = CountsCodec.add(old, 2, 5);
    assertThat(added).hasSize(CountsCodec.SIZE);
    assertThat(added[0]).isEqualTo(CountsCodec.FORMAT);
    assertThat(new long[] {CountsCodec.get(added, 0), CountsCodec.get(added, 1), CountsCodec.get(added, 2),
        CountsCodec.get(added, 3)}).containsExactly(3, 1, 5, 2);
    // an increment from a task of the previous release, merged into a current value, and the reverse
    assertThat(CountsCodec.total(CountsCodec.merge(added, old))).isEqualTo(17);
    assertThat(CountsCodec.total(CountsCodec.merge(old, added))).isEqualTo(17);
    assertThat(CountsCodec.total(CountsCodec.merge(null, old))).isEqualTo(6);

    assertThat(CountsCodec.isCounts(new byte[31])).isFalse();
    byte[] newer = added.clone();
    newer[0] = 9;
    assertThat(CountsCodec.isCounts(newer)).isFalse();
    assertThatThrownBy(() -> CountsCodec.get(newer, 0)).hasMessageContaining("item counts");
  }

  @Test
  void checkpointsOfThePreviousLayoutRead() {
    byte[] profile = new byte[300]; // a profile starts with its own format byte, 1
    profile[0] = 1;
    profile[299] = 42;
    byte[] history = {7, 8, 9};
    byte[] old = le(4 + 300 + 3).putInt(300).put(profile).put(history).array();
    CheckpointCodec.UserState s = CheckpointCodec.decode(old);
    assertThat(s.profile()).isEqualTo(profile);
    assertThat(s.history()).isEqualTo(history);
    CheckpointCodec.UserState noHistory = CheckpointCodec.decode(le(4 + 300).putInt(300).put(profile).array());
    assertThat(noHistory.profile()).isEqualTo(profile);
    assertThat(noHistory.history()).isNull();

    // format 1: no seen ids
    byte[] v1 = le(1 + 4 + 300 + 3).put((byte) 1).putInt(300).put(profile).put(history).array();
    assertThat(CheckpointCodec.decode(v1).profile()).isEqualTo(profile);
    assertThat(CheckpointCodec.decode(v1).history()).isEqualTo(history);
    assertThat(CheckpointCodec.decode(v1).seen()).isNull();

    byte[] seen = new SeenIds(1000, 10).add(null, 77, 5).stored();
    byte[] now = CheckpointCodec.encode(profile, history, seen);
    assertThat(now[0]).isEqualTo(CheckpointCodec.FORMAT);
    assertThat(CheckpointCodec.decode(now).profile()).isEqualTo(profile);
    assertThat(CheckpointCodec.decode(now).history()).isEqualTo(history);
    assertThat(CheckpointCodec.decode(now).seen()).isEqualTo(seen);
    var noHistoryNow = CheckpointCodec.decode(CheckpointCodec.encode(profile, null, seen));
    assertThat(noHistoryNow.history()).isNull();
    assertThat(new SeenIds(1000, 10).contains(SeenIds.Set.of(noHistoryNow.seen()), 77, 5)).isTrue();
    // previous-layout values whose length's low byte equals a format byte are still read as such
    for (int len : new int[] {257, 258}) {
      byte[] p = new byte[len];
      p[0] = 1;
      byte[] tricky = le(4 + len).putInt(len).put(p).array();
      assertThat(tricky[0]).isEqualTo((byte) (len - 256)); // format 1's byte, then format 2's
      assertThat(CheckpointCodec.decode(tricky).profile()).hasSize(len);
      assertThat(CheckpointCodec.decode(tricky).history()).isNull();
    }

    assertThatThrownBy(() -> CheckpointCodec.decode(new byte[] {2, 0, 0})).hasMessageContaining("profile checkpoint");
  }

  @Test
  void heldRecordsOfThePreviousLayoutRead() {
    byte[] topic = "interactions".getBytes(StandardCharsets.UTF_8);
    byte[] old = le(40 + topic.length + 2).putInt(1).putLong(42).putLong(7).putLong(99)
        .putInt(topic.length).put(topic).putInt(-1).putInt(2).put(new byte[] {5, 6}).array();
    assertThat(old[0]).as("partition 1: the low byte equals the format byte").isEqualTo(PendingCodec.FORMAT);
    PendingCodec.Held h = PendingCodec.decode(old);
    assertThat(h.source()).isEqualTo(new DeadLetters.Source("interactions", 1, 42, 7));
    assertThat(h.arrivedAtMs()).isEqualTo(99);
    assertThat(h.key()).isNull();
    assertThat(h.value()).containsExactly(5, 6);

    byte[] now = PendingCodec.encode(h);
    assertThat(now).hasSize(old.length + 1);
    assertThat(now[0]).isEqualTo(PendingCodec.FORMAT);
    PendingCodec.Held back = PendingCodec.decode(now);
    assertThat(back.source()).isEqualTo(h.source());
    assertThat(back.value()).containsExactly(5, 6);

    assertThatThrownBy(() -> PendingCodec.decode(java.util.Arrays.copyOf(now, now.length - 1)))
        .hasMessageContaining("held record");
  }

  @Test
  void journalEntriesOfThePreviousLayoutRead() {
    byte[] old = "u7\ti3\t1700000000000\t0\t".getBytes(StandardCharsets.UTF_8); // the bare line
    assertThat(JournalLine.parse(old)).isEqualTo(new JournalLine("u7", "i3", 1_700_000_000_000L,
        dev.crane.schemas.avro.Split.TRAIN));
    assertThat(JournalLine.lineStart(old)).isZero(); // a cut copies it whole
    assertThat(JournalLine.position(old)).as("unknown").isEqualTo(-1);

    byte[] v1 = new byte[10 + old.length]; // format 1: NUL, 1, the position, the line
    v1[1] = 1;
    LE.putLong(v1, 2, 5);
    System.arraycopy(old, 0, v1, 10, old.length);
    assertThat(JournalLine.parse(v1)).isEqualTo(JournalLine.parse(old));
    assertThat(JournalLine.parse(v1).hasId()).as("format 1 names no event id").isFalse();
    assertThat(JournalLine.position(v1)).isEqualTo(5);

    byte[] now = JournalLine.encode("u7", "i3", 1_700_000_000_000L, dev.crane.schemas.avro.Split.TRAIN, null, 5, 11, 12);
    assertThat(now[0]).isZero();
    assertThat(now[1]).isEqualTo(JournalLine.FORMAT);
    assertThat(java.util.Arrays.copyOfRange(now, JournalLine.lineStart(now), now.length)).isEqualTo(old);
    assertThat(JournalLine.parse(now)).isEqualTo(new JournalLine("u7", "i3", 1_700_000_000_000L,
        dev.crane.schemas.avro.Split.TRAIN, 11, 12));
    assertThat(JournalLine.position(now)).isEqualTo(5);

    byte[] newer = now.clone();
    newer[1] = 4;
    assertThatThrownBy(() -> JournalLine.parse(newer)).hasMessageContaining("journal entry");
  }

  @Test
  void journalBlocksHoldLengthPrefixedEntriesBehindTheirFormatByte() {
    byte[] a = JournalLine.encode("u1", "i1", 1, null, null, 1, 2, 3);
    byte[] b = "u2\ti2\t2\t-1\t".getBytes(StandardCharsets.UTF_8);
    JournalBlock block = new JournalBlock();
    block.add(a);
    block.add(b);
    byte[] value = block.take();
    assertThat(java.util.Arrays.copyOf(value, 6)).containsExactly(0, JournalBlock.FORMAT, 2, 0, 0, 0);
    assertThat(value).hasSize(6 + 4 + a.length + 4 + b.length);
    java.util.List<byte[]> entries = new java.util.ArrayList<>();
    JournalBlock.forEach(value, entries::add);
    assertThat(entries).containsExactly(a, b);
    assertThat(JournalBlock.last(value)).isEqualTo(b);
    assertThat(block.take()).as("empty again").hasSize(6);

    // a value of the layouts before blocks is one entry
    assertThat(JournalBlock.count(a)).isEqualTo(1);
    assertThat(JournalBlock.last(b)).isEqualTo(b);
    // a format of a newer release reaches the entry parser, which says so
    byte[] newer = value.clone();
    newer[1] = 9;
    assertThat(JournalBlock.count(newer)).isEqualTo(1);
    assertThatThrownBy(() -> JournalLine.parse(JournalBlock.last(newer))).hasMessageContaining("no known layout");
    // a count the value cannot hold is refused
    byte[] lying = value.clone();
    LE.putInt(lying, 2, -1);
    assertThatThrownBy(() -> JournalBlock.count(lying)).hasMessageContaining("corrupt");
    LE.putInt(lying, 2, 1 << 20);
    assertThatThrownBy(() -> JournalBlock.last(lying)).hasMessageContaining("corrupt");
    // a cut-short or overlong block is refused, not read short
    assertThatThrownBy(() -> JournalBlock.forEach(java.util.Arrays.copyOf(value, value.length - 1), e -> { }))
        .hasMessageContaining("corrupt at entry 1");
    assertThatThrownBy(() -> JournalBlock.forEach(java.util.Arrays.copyOf(value, value.length + 1), e -> { }))
        .hasMessageContaining("corrupt at entry 2");
  }
}
