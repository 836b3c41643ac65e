package dev.crane.stream.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crane.stream.codec.JournalBlock;
import dev.crane.stream.codec.JournalLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's blocks over a real RocksDB store: what is written when, and what reads back. */
class JournalStoreTest {
  @TempDir Path dir;
  private KeyValueStore<Long, byte[]> blocks;
  private JournalStore journal;

  @BeforeEach
  void open() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new Properties(), new TaskId(0, 0),
        dir.toFile());
    blocks = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("journal"), Serdes.Long(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    journal = new JournalStore(blocks);
    journal.init(context.getStateStoreContext(), journal);
  }

  @AfterEach
  void close() {
    journal.close();
  }

  private static byte[] entry(long seq) {
    return JournalLine.encode("u" + seq, "i" + seq, 1_000 + seq, null, null, seq + 1, seq * 31, 1_000 + seq);
  }

  private void append(long from, long to) {
    for (long seq = from; seq < to; seq++) {
      journal.append(seq, entry(seq));
    }
  }

  private List<Long> seqs(long from, long to) {
    List<Long> seqs = new ArrayList<>();
    journal.forEach(from, to, (seq, e) -> {
      assertThat(e).as("entry %d", seq).isEqualTo(entry(seq));
      seqs.add(seq);
    });
    return seqs;
  }

  private long storedValues() {
    long n = 0;
    try (var it = blocks.all()) {
      for (; it.hasNext(); it.next()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aCommitIntervalsEntriesAreOneStoredValueWrittenAtTheCommit() {
    append(0, 100);
    assertThat(storedValues()).as("held until the commit").isZero();
    journal.flushCache(); // what Kafka Streams calls before it commits the task
    assertThat(storedValues()).isEqualTo(1);
    assertThat(JournalBlock.count(blocks.get(0L))).isEqualTo(100);
    append(100, 103);
    journal.flushCache();
    journal.flushCache(); // nothing held: nothing written
    assertThat(storedValues()).isEqualTo(2);
    assertThat(seqs(0, Long.MAX_VALUE)).hasSize(103).startsWith(0L).endsWith(102L);
  }

  @Test
  void readsSeeHeldEntriesAndRangesStartInsideABlock() {
    append(0, 10);
    journal.flushCache();
    append(10, 20);
    assertThat(seqs(5, 14)).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
    assertThat(seqs(10, 10)).containsExactly(10L);
    assertThat(seqs(25, 30)).isEmpty();
    assertThat(seqs(3, 2)).isEmpty();
    assertThat(journal.last().key).isEqualTo(19L);
    assertThat(journal.last().value).isEqualTo(entry(19));
  }

  @Test
  void aLargeIntervalIsSplitIntoBlocksBelowKafkasRecordLimit() {
    int n = 20_000; // about 0.9 MB of entries
    append(0, n);
    journal.flushCache();
    long blocksWritten = storedValues();
    assertThat(blocksWritten).isGreaterThan(2);
    try (var it = blocks.all()) {
      it.forEachRemaining(kv -> assertThat(kv.value.length).isLessThanOrEqualTo(JournalStore.BLOCK_BYTES));
    }
    assertThat(seqs(0, n)).hasSize(n);
  }

  @Test
  void truncationDeletesWholeBlocksBelowTheBoundOnly() {
    append(0, 10);
    journal.flushCache();
    append(10, 20);
    journal.flushCache();
    append(20, 30);
    journal.flushCache();
    assertThat(journal.deleteBelow(0, 15, 100)).as("the block of 10..19 reaches above 15").isEqualTo(10);
    assertThat(seqs(0, 100)).hasSize(20).startsWith(10L);
    assertThat(journal.deleteBelow(10, 30, 1)).as("one block per call at most").isEqualTo(20);
    assertThat(journal.deleteBelow(20, 30, 100)).isEqualTo(30);
    assertThat(journal.last()).isNull();
    assertThat(journal.deleteBelow(30, 30, 100)).isEqualTo(30);
  }

  @Test
  void aTruncationWithNothingBelowItsBoundWritesNothing() {
    append(0, 5);
    assertThat(journal.deleteBelow(5, 5, 100)).isEqualTo(5);
    assertThat(storedValues()).as("still held for the commit").isZero();
  }

  /** The RocksDB store under it keeps its changelog offsets; the journal must say so, as Kafka Streams' own stores do. */
  @Test
  void theStoreUnderneathKeepsItsOwnChangelogOffsets() {
    assertThat(blocks.managesOffsets()).isTrue();
    assertThat(journal.managesOffsets()).isTrue();
    var tp = new org.apache.kafka.common.TopicPartition("x-journal-changelog", 0);
    journal.commit(java.util.Map.of(tp, 42L));
    assertThat(journal.committedOffset(tp)).isEqualTo(42L);
  }

  @Test
  void entriesStoredOneByOneBeforeBlocksStillRead() {
    byte[] bare = "u0\ti0\t1000\t0\t".getBytes(StandardCharsets.UTF_8); // the first layout
    blocks.put(0L, bare);
    blocks.put(1L, entry(1));
    append(2, 5);
    List<byte[]> read = new ArrayList<>();
    journal.forEach(0, 10, (seq, e) -> read.add(e));
    assertThat(read).hasSize(5);
    assertThat(read.get(0)).isEqualTo(bare);
    assertThat(read.get(1)).isEqualTo(entry(1));
    assertThat(journal.deleteBelow(0, 2, 100)).isEqualTo(2);
    assertThat(seqs(0, 10)).containsExactly(2L, 3L, 4L);
  }

  @Test
  void heldEntriesOfATaskClosedWithoutACommitAreDropped() {
    append(0, 3);
    journal.flushCache();
    append(3, 6);
    journal.clearCache(); // restoration is about to write the store: nothing held belongs to a commit
    assertThat(journal.last().key).isEqualTo(2L);
    journal.append(3, entry(3)); // the input is processed again from the commit
    assertThat(seqs(0, 10)).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void anEntryOutOfSequenceIsRefused() {
    append(0, 3);
    assertThatThrownBy(() -> journal.append(4, entry(4))).hasMessageContaining("journal entry 4 appended after entry 2");
  }
}
